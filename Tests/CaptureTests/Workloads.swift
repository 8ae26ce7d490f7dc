import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

/// Test-only helpers over the bundled workloads (PerfshTestSupport builds them): an
/// address → function lookup from `nm`, so sampler tests can check ground truth without
/// depending on the Symbolize layer.
extension Workloads {
  /// The package root (the workloads' sources live under examples/).
  static var root: URL { packageRoot }

  /// Why a workload helper failed.
  struct WorkloadError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
  }

  /// Path of `examples/bin/NAME`, building the examples first (PerfshTestSupport does the build).
  static func binary(_ name: String) throws -> String { try path(name) }

  /// The GNU build id of a binary from `readelf -n`, or nil.
  static func buildID(_ path: String) throws -> String? {
    let data = Data(try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/readelf"), ["-n", path]).stdout.utf8)
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.contains("Build ID:") {
      return line.split(separator: " ").last.map(String.init)
    }
    return nil
  }

  /// Text symbols of a binary from `nm -n`, sorted by address.
  static func symbols(_ path: String) throws -> [(UInt64, String)] {
    let data = Data(
      try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/nm"), ["-n", "--defined-only", path]).stdout.utf8)
    var result: [(UInt64, String)] = []
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      let parts = line.split(separator: " ")
      guard parts.count == 3, parts[1] == "t" || parts[1] == "T", let addr = UInt64(parts[0], radix: 16) else {
        continue
      }
      result.append((addr, String(parts[2])))
    }
    return result
  }

  /// CPU nanoseconds per leaf function of `binary` (flat), plus the total of all samples.
  /// `filter` selects samples by their labels.
  static func flatCPU(
    _ profile: Profile, binary: String, filter: ([String: String]) -> Bool = { _ in true }
  ) throws -> (perFunction: [String: Int64], total: Int64) {
    let syms = try symbols(binary)
    let name = (binary as NSString).lastPathComponent
    var per: [String: Int64] = [:]
    var total: Int64 = 0
    for i in 0..<profile.samples.count {
      guard filter(labels(profile, sample: i)) else { continue }
      let cpu = profile.samples.value(i, 1)
      total += cpu
      let node = profile.samples.stacks[i]
      guard node != .root else { continue }
      let loc = profile.location(profile.stacks.location(of: node))
      guard let m = loc.mapping.map({ profile.mapping($0) }),
        (profile.string(m.filename) as NSString).lastPathComponent == name
      else { continue }
      let vaddr = loc.address - m.start + m.fileOffset
      guard let sym = syms.last(where: { $0.0 <= vaddr }) else { continue }
      per[sym.1, default: 0] += cpu
    }
    return (per, total)
  }

  /// Whether any frame of any sample (not only leaves) falls in function `function` of `binary`.
  static func stacks(_ profile: Profile, binary: String, contain function: String) throws -> Bool {
    let syms = try symbols(binary)
    let name = (binary as NSString).lastPathComponent
    guard let index = syms.firstIndex(where: { $0.1 == function }) else { return false }
    let lo = syms[index].0
    let hi = index + 1 < syms.count ? syms[index + 1].0 : UInt64.max
    for loc in profile.locations {
      guard let m = loc.mapping.map({ profile.mapping($0) }),
        (profile.string(m.filename) as NSString).lastPathComponent == name
      else { continue }
      let vaddr = loc.address - m.start + m.fileOffset
      if vaddr >= lo && vaddr < hi { return true }
    }
    return false
  }

  static func labels(_ p: Profile, sample i: Int) -> [String: String] {
    var out: [String: String] = [:]
    for l in p.labelSets[p.samples.labelSets[i]] {
      out[p.string(l.key)] = l.string == .empty ? "\(l.number)" : p.string(l.string)
    }
    return out
  }
}

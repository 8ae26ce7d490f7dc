import Foundation
import ProfileModel
import XCTest

@testable import Symbolize

/// Builds fixture binaries with the installed compilers into a temporary directory and reads
/// ground truth (symbol addresses, segments, build ids) with binutils.
final class Fixtures {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-symbolize-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: directory) }

  func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// Writes `text` to `name` in the fixture directory and returns its path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    let p = path(name)
    try text.write(toFile: p, atomically: true, encoding: .utf8)
    return p
  }

  /// Runs a tool; fails the test with its output when it exits non-zero.
  @discardableResult
  func run(_ tool: String, _ args: [String], environment: [String: String] = [:]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + args
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
      throw FixtureError(message: "\(tool) \(args.joined(separator: " ")) failed:\n\(text)")
    }
    return text
  }

  /// Symbol name → (address, size) from `nm -S` (defined symbols only).
  func symbols(_ binary: String) throws -> [String: (address: UInt64, size: UInt64)] {
    var result: [String: (UInt64, UInt64)] = [:]
    for line in try run("nm", ["-S", binary]).split(separator: "\n") {
      let f = line.split(separator: " ")
      if f.count == 4, let a = UInt64(f[0], radix: 16), let s = UInt64(f[1], radix: 16) {
        result[String(f[3])] = (a, s)
      } else if f.count == 3, let a = UInt64(f[0], radix: 16), result[String(f[2])] == nil {
        result[String(f[2])] = (a, 0)
      }
    }
    return result
  }

  /// The executable PT_LOAD segment (offset, virtual address) from `readelf -lW`.
  func textSegment(_ binary: String) throws -> (offset: UInt64, vaddr: UInt64) {
    for line in try run("readelf", ["-lW", binary]).split(separator: "\n") {
      let f = line.split(separator: " ")
      if f.first == "LOAD", f.count >= 8, line.contains("R E"),
        let off = UInt64(f[1].dropFirst(2), radix: 16), let va = UInt64(f[2].dropFirst(2), radix: 16)
      {
        return (off, va)
      }
    }
    throw FixtureError(message: "no executable segment in \(binary)")
  }

  /// The GNU build id from `readelf -n` ("" when absent).
  func buildID(_ binary: String) throws -> String {
    for line in try run("readelf", ["-n", binary]).split(separator: "\n") where line.contains("Build ID:") {
      return String(line.split(separator: " ").last ?? "")
    }
    return ""
  }

  /// The 1-based line of the first source line containing `marker`.
  static func line(of marker: String, in source: String) -> Int64 {
    for (i, l) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where l.contains(marker)
    {
      return Int64(i + 1)
    }
    return -1
  }
}

struct FixtureError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// A profile of address-only locations in one binary mapped as the kernel reports it: the
/// executable segment mapped at `bias + page(vaddr)` from file offset `page(offset)`.
struct MappedProfile {
  var profile: Profile
  var mapping: MappingID
  var bias: UInt64
  var locations: [LocationID] = []

  init(binary: String, segment: (offset: UInt64, vaddr: UInt64), bias: UInt64, buildID: String = "") {
    profile = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    self.bias = bias
    let page: UInt64 = 0xfff
    let m = Mapping(
      start: bias + (segment.vaddr & ~page), limit: bias + (segment.vaddr & ~page) + 0x100_0000,
      fileOffset: segment.offset & ~page, filename: profile.strings.intern(binary),
      buildID: profile.strings.intern(buildID))
    profile.mappings.append(m)
    mapping = MappingID(0)
  }

  /// Adds a location at link-time address `svma` (runtime address = bias + svma).
  @discardableResult
  mutating func add(linkAddress svma: UInt64) -> LocationID {
    let id = LocationID(profile.locations.count)
    profile.locations.append(Location(address: bias &+ svma, mapping: mapping, lines: []))
    locations.append(id)
    return id
  }

  /// (name, systemName, file, line) of each line of a location, innermost first.
  func frames(_ id: LocationID) -> [(name: String, system: String, file: String, line: Int64, start: Int64)] {
    profile.locations[id.index].lines.map { l in
      let f = profile.functions[l.function.index]
      return (profile.strings[f.name], profile.strings[f.systemName], profile.strings[f.filename], l.line, f.startLine)
    }
  }
}

import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

/// Probe sites for capture tests, from `nm` and `readelf -l` (the Symbolize layer's own
/// resolver is tested separately), and a helper that traces a command.
enum TraceWorkloads {
  /// The file offset of `function` in `binary`, through its executable LOAD segment.
  static func offset(of function: String, in binary: String) throws -> UInt64 {
    guard let address = try Workloads.symbols(binary).first(where: { $0.1 == function })?.0 else {
      throw Workloads.WorkloadError(message: "\(function) not in \(binary)")
    }
    let data = Data(try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/readelf"), ["-lW", binary]).stdout.utf8)
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      let f = line.split(separator: " ")
      guard f.first == "LOAD", f.count >= 7, let off = UInt64(f[1].dropFirst(2), radix: 16),
        let vaddr = UInt64(f[2].dropFirst(2), radix: 16), let size = UInt64(f[4].dropFirst(2), radix: 16)
      else { continue }
      if address >= vaddr && address < vaddr + size { return address - vaddr + off }
    }
    throw Workloads.WorkloadError(message: "no LOAD segment holds \(function) in \(binary)")
  }

  /// Runs `arguments` tracing `functions` of `binary` (entry+return unless `entryOnly`), on the
  /// ring path or, with `bpf`, on the in-kernel path (skipped where BPF is not available).
  static func trace(
    _ functions: [String], binary: String, arguments: [String]? = nil, entryOnly: Bool = false, sample: Bool = true,
    probeCost: ProbeCost = .zero, calibrate: Bool = false, bpf: Bool = false
  ) throws -> (CaptureResult, TraceResult) {
    try PerfEvents.skipUnlessAvailable()
    let probes = try functions.map {
      TraceProbe(path: binary, fileOffset: try offset(of: $0, in: binary), probesReturns: !entryOnly)
    }
    let tracer: any CallTracer
    if bpf {
      guard BPFSupport.isAvailable else { throw XCTSkip("BPF is not available here: \(BPFSupport.availability)") }
      tracer = try BPFCallTracer(probes: probes, probeCost: probeCost, calibrate: calibrate)
    } else {
      tracer = try UprobeTracer(probes: probes, probeCost: probeCost, calibrateDuringRun: calibrate)
    }
    defer { tracer.release() }
    let capture = try CommandCapture().run(
      CaptureRequest(arguments: arguments ?? [binary]), companion: tracer, sample: sample)
    return (capture, tracer.result())
  }
}

extension TraceWorkloads {
  /// examples/workloads/gocalls built with `go build` into a temporary directory (once).
  static func goBinary() throws -> String { try builtGo.get() }

  private static let builtGo: Result<String, Workloads.WorkloadError> = {
    let source = Workloads.root.appendingPathComponent("examples/workloads/gocalls/main.go").path
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-gocalls-\(getpid())").path
    guard
      let go = ["/usr/bin/go", "/usr/lib/go/bin/go", "/usr/local/go/bin/go"].first(where: {
        FileManager.default.isExecutableFile(atPath: $0)
      })
    else { return .failure(Workloads.WorkloadError(message: "go toolchain not found")) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: go)
    p.arguments = ["build", "-o", out, source]
    var env = ProcessInfo.processInfo.environment
    env["GOCACHE"] =
      env["GOCACHE"] ?? FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-gocache").path
    env["HOME"] = env["HOME"] ?? "/tmp"
    p.environment = env
    do {
      try p.run()
      p.waitUntilExit()
    } catch {
      return .failure(Workloads.WorkloadError(message: "go build did not start: \(error)"))
    }
    return p.terminationStatus == 0 ? .success(out) : .failure(Workloads.WorkloadError(message: "go build failed"))
  }()
}

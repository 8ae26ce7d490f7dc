import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import Symbolize
import Unwind
import XCTest

/// The bundled workloads (built through scripts/build-examples), captured with the real
/// sampler and symbolized, with each sample's stack as function names, leaf first.
enum UnwindWorkloads {
  static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  private static let built: Bool = {
    let p = Process()
    p.executableURL = root.appendingPathComponent("scripts/build-examples")
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
  }()

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Path of `examples/bin/NAME`, building the examples first.
  static func binary(_ name: String) throws -> String {
    guard built else { throw Failure(description: "scripts/build-examples failed") }
    return root.appendingPathComponent("examples/bin/\(name)").path
  }

  /// One sample: its CPU nanoseconds and its functions, leaf first (inline frames expanded).
  struct Stack {
    var cpu: Int64
    var names: [String]
  }

  /// Runs `arguments` under the sampler with `callGraph`, symbolizes, and lists the stacks.
  static func capture(_ arguments: [String], callGraph: CallGraph, workingDirectory: String? = nil) throws -> (
    Profile, [Stack]
  ) {
    try PerfEvents.skipUnlessAvailable()
    var result = try CommandCapture(unwinding: DWARFUnwinding()).run(
      CaptureRequest(arguments: arguments, workingDirectory: workingDirectory, callGraph: callGraph))
    Symbolizer().symbolize(&result.profile)
    let p = result.profile
    var stacks: [Stack] = []
    for i in 0..<p.samples.count {
      var names: [String] = []
      for loc in p.stacks.frames(leafFirst: p.samples.stacks[i]) {
        for line in p.location(loc).lines { names.append(p.name(of: line.function)) }
      }
      stacks.append(Stack(cpu: p.samples.value(i, 1), names: names))
    }
    return (p, stacks)
  }

  /// Share (0…1) of the CPU of samples matching `select` that also satisfy `check`.
  static func share(_ stacks: [Stack], of select: (Stack) -> Bool, satisfying check: (Stack) -> Bool) -> (Double, Int64)
  {
    var total: Int64 = 0
    var good: Int64 = 0
    for s in stacks where select(s) {
      total += s.cpu
      if check(s) { good += s.cpu }
    }
    return (total == 0 ? 0 : Double(good) / Double(total), total)
  }
}

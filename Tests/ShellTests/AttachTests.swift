import Analysis
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// `attach PID` on a process the test starts (examples/bin/sleeper: 50 ms spin, 50 ms sleep, repeated).
final class AttachTests: XCTestCase {
  func testAttachProfilesARunningProcessAndLeavesItRunning() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Workloads.path("sleeper"))
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    defer { if process.isRunning { process.terminate() } }
    let pid = process.processIdentifier
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("attach --duration 1s --off-cpu \(pid)\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(process.isRunning, "attach leaves the process running")
    let p = try XCTUnwrap(s.context.sessions.current?.profile)
    XCTAssertEqual(p.run.command?.first?.hasSuffix("/sleeper"), true, "\(String(describing: p.run.command))")
    XCTAssertNil(p.run.termination, "an attached process has no exit status")
    let cpu = try XCTUnwrap(p.sampleTypeIndex(named: "cpu"))
    var spin: Int64 = 0
    for row in 0..<p.samples.count {
      var names: [String] = []
      p.stacks.forEachFrame(leafFirst: p.samples.stacks[row]) { loc in
        for line in p.location(loc).lines { names.append(p.name(of: line.function)) }
      }
      if names.contains("sleeper_spin") { spin += p.samples.value(row, cpu) }
    }
    let total = p.total(column: cpu)
    XCTAssertGreaterThan(total, 50_000_000, "it spins about half the time")
    XCTAssertGreaterThan(Double(spin) / Double(total), 0.9, "the CPU goes to sleeper_spin")
    let b = try XCTUnwrap(WaitReasons.breakdown(p))
    XCTAssertEqual(b.thread, pid)
    let sleep = b.reasons.first { $0.reason == .sleep }?.nanos ?? 0
    XCTAssertGreaterThan(sleep, 250_000_000, "about half of the second is nanosleep: \(b.reasons)")
    // It still exits normally afterwards.
    process.terminate()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationReason, .uncaughtSignal)
  }

  func testAMissingPIDIsNamed() {
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("attach --duration 1s 999999999\n").exitStatus, 1)
    XCTAssertTrue(s.stderr.contains("attach: no process with pid 999999999"), s.stderr)
  }

  func testAnotherUsersProcessNamesTheRuleAndTheFix() throws {
    guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
      throw XCTSkip("needs root (to start a process as another user) and setpriv")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Workloads.path("sleeper"))
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    defer { process.terminate() }
    // perfsh runs as nobody; the target belongs to root.
    let result = try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/setpriv"),
      ["--reuid=65534", "--regid=65534", "--clear-groups", try PerfshBinary.url().path, "-c",
       "attach --duration 0.3s \(process.processIdentifier)"])
    XCTAssertEqual(result.status, 1, result.stderr)
    XCTAssertTrue(result.stderr.contains("belongs to user id 0, not you (65534)"), result.stderr)
    XCTAssertTrue(result.stderr.contains("CAP_PERFMON"), result.stderr)
    XCTAssertTrue(process.isRunning)
  }

  func testAProcessThatExitsEndsTheCapture() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sleep")
    process.arguments = ["0.5"]
    try process.run()
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("attach \(process.processIdentifier)\n").exitStatus, 0, s.stderr)
    let p = try XCTUnwrap(s.context.sessions.current?.profile)
    XCTAssertTrue(p.run.notes.contains { $0.contains("exited during the capture") }, "\(p.run.notes)")
    process.waitUntilExit()
  }
}

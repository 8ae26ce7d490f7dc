import Analysis
import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// `attach PID` on a process the test starts (examples/bin/sleeper: 50 ms spin, 50 ms sleep, repeated).
final class AttachTests: XCTestCase {
  func testAttachProfilesARunningProcessAndLeavesItRunning() throws {
    try PerfEvents.skipUnlessAvailable()
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
    // One thread: its sleep and its sampled CPU time fit in the capture's elapsed time.
    let elapsed = try XCTUnwrap(p.run.elapsedNanos)
    XCTAssertLessThan(
      Double(sleep + total), Double(elapsed) * 1.05, "sleep \(sleep) + cpu \(total) within \(elapsed): \(b.reasons)")
    if BPFSupport.isAvailable {
      XCTAssertTrue(
        p.run.notes.contains { $0.hasPrefix("off-CPU capture: in the kernel") },
        "attach takes the BPF path: \(p.run.notes)")
    }
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
    try PerfEvents.skipUnlessAvailable()
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
      [
        "--reuid=65534", "--regid=65534", "--clear-groups", try PerfshBinary.url().path, "-c",
        "attach --duration 0.3s \(process.processIdentifier)",
      ])
    XCTAssertEqual(result.status, 1, result.stderr)
    XCTAssertTrue(result.stderr.contains("belongs to user id 0, not you (65534)"), result.stderr)
    XCTAssertTrue(result.stderr.contains("CAP_PERFMON"), result.stderr)
    XCTAssertTrue(process.isRunning)
    // With --trace the executable's path is already refused (/proc/PID/exe): the same rule and fix.
    let traced = try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/setpriv"),
      [
        "--reuid=65534", "--regid=65534", "--clear-groups", try PerfshBinary.url().path, "-c",
        "attach --trace '^sleeper_spin$' --duration 0.3s \(process.processIdentifier)",
      ])
    XCTAssertEqual(traced.status, 1, traced.stderr)
    XCTAssertTrue(traced.stderr.contains("belongs to user id 0, not you (65534)"), traced.stderr)
    XCTAssertTrue(traced.stderr.contains("CAP_SYS_PTRACE"), traced.stderr)
  }

  func testAProcessThatExitsEndsTheCapture() throws {
    try PerfEvents.skipUnlessAvailable()
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

/// `attach --trace PATTERN` (issue 14): uprobes on a running process's threads, inherited by the
/// threads and children it starts while attached; the process's exit ends the capture cleanly.
final class AttachTraceTests: XCTestCase {
  private func start(_ arguments: [String] = []) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Workloads.path("spawner"))
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    usleep(200_000)  // past the dynamic loader: the executable's mappings are in place
    return process
  }

  private func tickCalls(_ s: CapturedShell) throws -> CallStatistics {
    let p = try XCTUnwrap(s.context.sessions.current?.profile, s.stderr)
    let tick = try XCTUnwrap(p.callStatistics.first { p.name(of: $0.key) == "tick" }, "\(p.run.notes)")
    return tick.value
  }

  private func requireTracefs() throws {
    guard getuid() == 0 else { throw XCTSkip("uprobes through tracefs need root") }
  }

  func testThreadsStartedWhileAttachedAreTraced() throws {
    try PerfEvents.skipUnlessAvailable()
    try requireTracefs()
    let process = try start()
    defer { process.terminate() }
    let s = CapturedShell()
    XCTAssertEqual(
      s.runScript("attach --trace '^tick$' --duration 1.5s \(process.processIdentifier)\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(process.isRunning, "attach leaves the process running")
    let tick = try tickCalls(s)
    // The main thread never calls tick: every call is on a thread started after the attach,
    // 1000 per thread. Two threads may be partial: one started while attach was still opening
    // its per-CPU events (it inherits only those opened so far) and one cut by the end of the
    // capture (its open call counted apart, never returned).
    XCTAssertGreaterThanOrEqual(tick.calls, 1000, "\(tick)")
    XCTAssertTrue(tick.hasDurations)
    let profile = try XCTUnwrap(s.context.sessions.current?.profile)
    let log = try XCTUnwrap(profile.callEvents, "attach --trace keeps the single calls")
    var perThread: [Int64: Int] = [:]
    for event in log.events { perThread[event.thread, default: 0] += 1 }
    let partial = perThread.filter { $0.value != 1000 }
    XCTAssertGreaterThanOrEqual(perThread.count - partial.count, 1, "\(perThread)")
    XCTAssertLessThanOrEqual(partial.count, 2, "threads with other than 1000 calls: \(partial)")
    XCTAssertTrue(partial.values.allSatisfy { $0 < 1000 }, "no thread has more calls than it made: \(partial)")
  }

  func testChildrenStartedWhileAttachedAreTraced() throws {
    try PerfEvents.skipUnlessAvailable()
    try requireTracefs()
    let process = try start(["fork"])
    defer { process.terminate() }
    let s = CapturedShell()
    XCTAssertEqual(
      s.runScript("attach --trace '^tick$' --duration 1.5s \(process.processIdentifier)\n").exitStatus, 0, s.stderr)
    XCTAssertGreaterThanOrEqual(try tickCalls(s).calls, 1000)
  }

  func testAProcessExitingWhileTracedEndsTheCaptureAndRemovesTheProbes() throws {
    try PerfEvents.skipUnlessAvailable()
    try requireTracefs()
    let process = try start()
    let pid = process.processIdentifier
    DispatchQueue.global().asyncAfter(deadline: .now() + 2.0) { kill(pid, SIGKILL) }
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("attach --trace '^tick$' \(pid)\n").exitStatus, 0, s.stderr)
    process.waitUntilExit()
    let p = try XCTUnwrap(s.context.sessions.current?.profile)
    XCTAssertTrue(p.run.notes.contains { $0.contains("exited during the capture") }, "\(p.run.notes)")
    XCTAssertGreaterThan(try tickCalls(s).calls, 0)
    BackgroundRelease.waitForAll()  // probes are released in the background; perfsh waits at exit
    let events = (try? String(contentsOfFile: "/sys/kernel/tracing/uprobe_events", encoding: .utf8)) ?? ""
    XCTAssertFalse(events.contains("perfsh_\(getpid())/"), "the probes are removed: \(events)")
  }

  func testNoMatchingFunctionNamesThePattern() throws {
    try requireTracefs()
    let process = try start()
    defer { process.terminate() }
    let s = CapturedShell()
    XCTAssertEqual(
      s.runScript("attach --trace '^no_such_function_xyz$' --duration 0.2s \(process.processIdentifier)\n").exitStatus,
      1)
    XCTAssertTrue(s.stderr.contains("attach: "), s.stderr)
    XCTAssertTrue(s.stderr.contains("no_such_function_xyz"), s.stderr)
    XCTAssertTrue(process.isRunning)
  }
}

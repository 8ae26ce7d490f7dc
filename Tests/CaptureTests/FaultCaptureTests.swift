import Foundation
import PerfshTestSupport
import XCTest

@testable import Capture

/// The pieces behind the fault handling: stale probe groups, set-ID detection, the
/// elapsed time a run reports, and the descendants a daemon leaves.
final class FaultCaptureTests: XCTestCase {
  private var scratch: URL!
  private var children: [pid_t] = []

  override func setUpWithError() throws {
    scratch = try ProcessRunner.temporaryDirectory("fault-capture")
    chmod(scratch.path, 0o755)
  }

  override func tearDownWithError() throws {
    for pid in children {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      _ = waitpid(pid, &status, 0)
    }
    if let scratch { try? FileManager.default.removeItem(at: scratch) }
  }

  // MARK: - Elapsed

  func testElapsedComesFromRecordsWhenTheyCoverTheCPUTime() {
    var stats = ConverterStats()
    stats.firstExecTime = 1_000_000
    stats.lastExitTime = 301_000_000
    let elapsed = CommandCapture.elapsed(
      stats: stats, start: 0, end: 310_000_000, cpuNanos: 280_000_000, cpus: 2, detached: false)
    XCTAssertEqual(elapsed, 300_000_000)
  }

  func testElapsedFallsBackToWallTimeWhenExitRecordsCameEarly() {
    // A set-ID exec: an exit record 20 µs after the exec, while the target ran 300 ms
    // and used 250 ms of CPU — records would give a parallelism of 12,500.
    var stats = ConverterStats()
    stats.firstExecTime = 1_000_000
    stats.lastExitTime = 1_020_000
    let early = CommandCapture.elapsed(
      stats: stats, start: 0, end: 301_000_000, cpuNanos: 250_000_000, cpus: 2, detached: false)
    XCTAssertEqual(early, 300_000_000)
    let detached = CommandCapture.elapsed(
      stats: stats, start: 0, end: 301_000_000, cpuNanos: 0, cpus: 2, detached: true)
    XCTAssertEqual(detached, 300_000_000)
    let noExec = CommandCapture.elapsed(
      stats: ConverterStats(), start: 5_000, end: 105_000, cpuNanos: 0, cpus: 2, detached: false)
    XCTAssertEqual(noExec, 100_000)
  }

  // MARK: - Set-ID executables

  func testSetUserIDAndSetGroupIDExecutablesAreRecognised() throws {
    guard geteuid() == 0 else { throw XCTSkip("changing a file's owner needs root") }
    guard let nobody = getpwnam("nobody") else { throw XCTSkip("no user nobody") }
    let file = scratch.appendingPathComponent("tool").path
    XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("#!/bin/sh\n".utf8)))
    var fs = statvfs()
    if statvfs(file, &fs) == 0 && fs.f_flag & UInt(ST_NOSUID) != 0 { throw XCTSkip("the scratch folder is nosuid") }
    XCTAssertEqual(chown(file, nobody.pointee.pw_uid, 0), 0)
    XCTAssertEqual(chmod(file, 0o755), 0)
    XCTAssertNil(SuspendedChild.identityChange(of: file))
    XCTAssertEqual(chmod(file, 0o4755), 0)
    XCTAssertEqual(SuspendedChild.identityChange(of: file), "set-user-ID nobody")
    // Set-user-ID to perfsh's own user changes nothing.
    XCTAssertEqual(chown(file, 0, 0), 0)
    XCTAssertEqual(chmod(file, 0o4755), 0)
    XCTAssertNil(SuspendedChild.identityChange(of: file))
    XCTAssertEqual(chown(file, 0, nobody.pointee.pw_gid), 0)
    XCTAssertEqual(chmod(file, 0o2755), 0)
    let group = String(cString: getgrgid(nobody.pointee.pw_gid).pointee.gr_name)
    XCTAssertEqual(SuspendedChild.identityChange(of: file), "set-group-ID \(group)")
  }

  // MARK: - Descendants

  func testDescendantsWithoutExitRecordsThatStillRunAreSurvivors() throws {
    let sleeper = try spawn("/bin/sleep", ["30"])
    let gone = try spawn("/bin/true", [])
    var status: Int32 = 0
    _ = waitpid(gone, &status, 0)
    children.removeAll { $0 == gone }
    let threadOfSleeper = sleeper  // a thread record (pid != tid) must not count as a process

    var tracker = DescendantTracker()
    let target: Int32 = 4_000_000
    tracker.note(.fork(task(pid: sleeper, parent: target)))
    tracker.note(.fork(task(pid: gone, parent: target)))
    tracker.note(
      .fork(
        TaskRecord(
          pid: threadOfSleeper, parentPID: threadOfSleeper, tid: 4_000_001, parentTID: sleeper, time: 0,
          sampleID: SampleID())))
    XCTAssertEqual(tracker.survivors(excluding: target), [sleeper])
    tracker.note(.exit(task(pid: sleeper, parent: target)))
    XCTAssertEqual(tracker.survivors(excluding: target), [])
  }

  // MARK: - Stale probe groups

  func testGroupsOfDeadAndReusedPidsAreRemovedAndLivePerfshGroupsKept() throws {
    guard geteuid() == 0 else { throw XCTSkip("tracefs needs root") }
    let root = try TracefsUprobes().root
    let calls = try Workloads.binary("calls")
    let offset = String(try TraceWorkloads.offset(of: "inner", in: calls), radix: 16)

    let dead = try spawn("/bin/true", [])
    var status: Int32 = 0
    _ = waitpid(dead, &status, 0)
    children.removeAll { $0 == dead }
    let other = try spawn("/bin/sleep", ["30"])  // a live process that is not perfsh
    let perfshCopy = scratch.appendingPathComponent("perfsh-standin").path
    try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: perfshCopy)
    let live = try spawn(perfshCopy, ["30"])  // a live "perfsh"
    XCTAssertTrue(waitFor { SystemInfo.processName(live) == "perfsh-standin" })

    let events = root + "/uprobe_events"
    for pid in [dead, other, live, getpid()] {
      try TracefsUprobes.append("p:perfsh_\(pid)/p0 \(calls):0x\(offset)\n", to: events)
      try TracefsUprobes.append("r:perfsh_\(pid)/r0 \(calls):0x\(offset)\n", to: events)
    }
    defer { try? TracefsUprobes.append("-:perfsh_\(live)/p0\n-:perfsh_\(live)/r0\n", to: events) }

    // A tracer's own cleanup keeps this process's group: other tracers in it may be live.
    let removedByTracer = TracefsUprobes.removeStale(root: root, includingOwnPid: false)
    XCTAssertTrue((SystemInfo.readSmallFile(events) ?? "").contains("perfsh_\(getpid())/p0"))
    XCTAssertFalse(removedByTracer.contains { $0.pid == getpid() })
    let removed = removedByTracer + TracefsUprobes.removeStale(root: root, includingOwnPid: true)
    let text = SystemInfo.readSmallFile(events) ?? ""
    XCTAssertFalse(text.contains("perfsh_\(dead)/"), text)
    XCTAssertFalse(text.contains("perfsh_\(other)/"), text)
    XCTAssertTrue(text.contains("perfsh_\(live)/p0") && text.contains("perfsh_\(live)/r0"), text)
    // A group named after this process was left by a dead one that had the same pid.
    XCTAssertFalse(text.contains("perfsh_\(getpid())/"), text)
    XCTAssertEqual(removed.first { $0.pid == getpid() }?.removed, 2)
    XCTAssertFalse(removed.contains { $0.pid == live })
    let reused = try XCTUnwrap(removed.first { $0.pid == other }, "\(removed)")
    XCTAssertEqual(reused, TracefsUprobes.StaleGroup(pid: other, removed: 2, reusedBy: "sleep"))
    XCTAssertEqual(
      reused.message,
      "removed 2 uprobe definitions left by perfsh \(other), which is gone (pid \(other) is now 'sleep')")
    // Another perfsh starting at the same moment may have removed the dead pid's group first.
    if let stale = removed.first(where: { $0.pid == dead }) {
      XCTAssertEqual(stale.message, "removed 2 uprobe definitions left by perfsh \(dead), which was killed")
    }
  }

  // MARK: - Helpers

  private func task(pid: Int32, parent: Int32) -> TaskRecord {
    TaskRecord(pid: pid, parentPID: parent, tid: pid, parentTID: parent, time: 0, sampleID: SampleID())
  }

  private func spawn(_ path: String, _ arguments: [String]) throws -> pid_t {
    var cArgv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { cArgv.forEach { free($0) } }
    var pid: pid_t = 0
    let r = posix_spawn(&pid, path, nil, nil, &cArgv, environ)
    guard r == 0 else { throw XCTSkip("cannot start \(path): \(r)") }
    children.append(pid)
    return pid
  }

  private func waitFor(_ condition: () -> Bool) -> Bool {
    for _ in 0..<500 {
      if condition() { return true }
      usleep(10_000)
    }
    return condition()
  }
}

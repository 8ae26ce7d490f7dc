import Foundation
import XCTest

@testable import Symbolize

/// Binaries opened while the target runs: which ones, and that symbolizing uses them.
final class BinaryPrefetchTests: XCTestCase {
  func testPathsAreTheExecutableAndItsLibrariesAsTheKernelNamesThem() {
    let paths = BinaryPrefetch.paths(forExecutable: "/bin/sh")
    XCTAssertEqual(paths.first, "/usr/bin/dash", "symbolic links resolved: /bin/sh → dash")
    XCTAssertTrue(paths.contains { $0.hasSuffix("/libc.so.6") && !$0.hasPrefix("/lib/") }, "\(paths)")
    XCTAssertTrue(BinaryPrefetch.paths(forExecutable: "/nonexistent/binary").isEmpty)
  }

  func testPrefetchOpensWhatExistsAndSkipsTheRest() {
    let prefetch = BinaryPrefetch(paths: ["/usr/bin/dash", "/nonexistent"], debugRoots: [])
    let loaded = prefetch.wait()
    XCTAssertEqual(loaded.map(\.path), ["/usr/bin/dash"], "a missing file is skipped, not an error")
    XCTAssertFalse(loaded[0].image.buildID.isEmpty)
  }

  func testPrefetchForAnExecutableFindsItsLibrariesAndSkipsThoseOpenAlready() {
    let prefetch = BinaryPrefetch(executable: "/bin/sh", debugRoots: []) { $0.hasSuffix("/libc.so.6") }
    let paths = prefetch.wait().map(\.path)
    XCTAssertEqual(paths.first, "/usr/bin/dash", "\(paths)")
    XCTAssertTrue(paths.contains { $0.contains("ld-linux") }, "the loader is still opened: \(paths)")
    XCTAssertFalse(paths.contains { $0.hasSuffix("/libc.so.6") }, "libc was skipped: \(paths)")
  }

  func testBackgroundWorkRunsAtIdlePriority() {
    // SCHED_IDLE: the prefetch never takes a CPU from the target it runs beside.
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var policy: Int32 = -1
    BackgroundThread.startIdle {
      policy = sched_getscheduler(0)
      done.signal()
    }
    done.wait()
    XCTAssertEqual(policy, BackgroundThread.idlePolicy)
  }

  /// Waiting for the work lifts it to normal priority: on a machine busy with other programs
  /// an idle-priority thread may not run for a long time, and the session would wait for it.
  func testWaitingForTheWorkLiftsItToNormalPriority() throws {
    guard geteuid() == 0 else { throw XCTSkip("lifting SCHED_IDLE needs CAP_SYS_NICE or RLIMIT_NICE") }
    let started = DispatchSemaphore(value: 0)
    let go = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var before: Int32 = -1
    nonisolated(unsafe) var after: Int32 = -1
    let work = BackgroundThread.startIdle {
      before = sched_getscheduler(0)
      started.signal()
      go.wait()
      after = sched_getscheduler(0)
      done.signal()
    }
    started.wait()
    work.urge()
    go.signal()
    done.wait()
    XCTAssertEqual(before, BackgroundThread.idlePolicy)
    XCTAssertEqual(after, BackgroundThread.normalPolicy, "urged while it ran")

    // Urged before its thread starts: it never goes idle.
    let early = DispatchSemaphore(value: 0)
    let hold = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var policy: Int32 = -1
    let pending = BackgroundThread.startIdle {
      hold.wait()
      policy = sched_getscheduler(0)
      early.signal()
    }
    pending.urge()
    hold.signal()
    early.wait()
    XCTAssertEqual(policy, BackgroundThread.normalPolicy, "urged before or while it ran")
  }
}

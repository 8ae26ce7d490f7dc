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
}

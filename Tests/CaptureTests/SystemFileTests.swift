import Foundation
import PerfshTestSupport
import XCTest

@testable import Capture

/// `SystemInfo.readSmallFile` reads /proc, /sys and tracefs entries (regular files of size
/// 0); a FIFO or device in their place must give nil at once, not a hang or endless read.
final class SystemFileTests: XCTestCase {
  func testProcFilesStillRead() {
    XCTAssertNotNil(
      SystemInfo.readSmallFile("/proc/sys/kernel/perf_event_paranoid").flatMap { Int($0.trimmingWhitespace()) })
    XCTAssertFalse((SystemInfo.readSmallFile("/proc/self/maps") ?? "").isEmpty)
    XCTAssertNil(SystemInfo.readSmallFile("/proc/self/maps", limit: 16), "over the cap")
  }

  func testFIFOAndDevZeroGiveNil() throws {
    let dir = try ProcessRunner.temporaryDirectory("system-file")
    defer { try? FileManager.default.removeItem(at: dir) }
    let fifo = dir.appendingPathComponent("uprobe_events").path
    try makeFIFO(fifo)
    let guardian = FIFOHangGuard(fifo: fifo)
    XCTAssertNil(SystemInfo.readSmallFile(fifo))
    XCTAssertTrue(guardian.finish(), "a FIFO must not block")
    XCTAssertNil(SystemInfo.readSmallFile("/dev/zero"))
  }
}

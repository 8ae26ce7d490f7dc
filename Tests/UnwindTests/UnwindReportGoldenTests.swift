import PerfshTestSupport
import XCTest

@testable import Unwind

/// The `info` lines about stack-copy unwinding: methods per binary and completions by method.
final class UnwindReportGoldenTests: XCTestCase {
  func testReportLinesGolden() {
    var counts: [String: DWARFUnwinder.BinaryCounts] = [:]
    counts["/tmp/perf-4242.map"] = DWARFUnwinder.BinaryCounts(
      complete: 185, truncated: 0, cfiFrames: 0, framePointerFrames: 1_900)
    counts["/usr/bin/node"] = DWARFUnwinder.BinaryCounts(
      complete: 66, truncated: 1, cfiFrames: 3_000, framePointerFrames: 2_100)
    counts["/usr/lib/x86_64-linux-gnu/libc.so.6"] = DWARFUnwinder.BinaryCounts(
      complete: 16, truncated: 1, cfiFrames: 400, framePointerFrames: 0)
    counts["/usr/lib/x86_64-linux-gnu/libstdc++.so.6"] = DWARFUnwinder.BinaryCounts(
      complete: 0, truncated: 0, cfiFrames: 12, framePointerFrames: 0)
    let report = UnwindReport(
      counts: counts, truncations: [.outsideStackCopy: 1, .brokenFramePointerChain: 1],
      completedBy: DWARFUnwinder.MethodCounts(cfi: 62, framePointer: 0, mixed: 205))
    assertSnapshot(report.lines().joined(separator: "\n") + "\n", named: "unwind-report-mixed")
  }

  /// A traced run adds one line: trampolines restored and left, slot and trap frames.
  func testTracedRunReportLinesGolden() {
    let report = UnwindReport(
      counts: [
        "/work/examples/bin/calls": DWARFUnwinder.BinaryCounts(
          complete: 640, truncated: 1, cfiFrames: 2_600, framePointerFrames: 0),
        "[uprobes]": DWARFUnwinder.BinaryCounts(complete: 15, truncated: 0, cfiFrames: 0, framePointerFrames: 15),
      ],
      truncations: [.unmapped: 1], completedBy: DWARFUnwinder.MethodCounts(cfi: 640, framePointer: 0, mixed: 15),
      uprobes: DWARFUnwinder.UprobeCounts(trampolinesRestored: 955, trampolinesLeft: 13, slotFrames: 2, trapFrames: 16))
    assertSnapshot(report.lines().joined(separator: "\n") + "\n", named: "unwind-report-traced")
  }
}

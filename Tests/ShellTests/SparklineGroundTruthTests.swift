import Analysis
import Foundation
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

@testable import Shell

/// The heatmap sparkline over time on a real run (issue 21): examples/workloads/phases.c runs
/// phase_a for the first half of its work and phase_b for the second, so phase_a's time lies
/// early in the run and phase_b's late. Wherever the load puts the switch, phase_b has no
/// time before phase_a's last sample and phase_a none after phase_b's first.
final class SparklineGroundTruthTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "perfsh-spark-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    if let directory { try? FileManager.default.removeItem(at: directory) }
  }

  private func run(_ script: String) throws -> CapturedShell {
    try PerfEvents.skipUnlessAvailable()
    let s = CapturedShell()
    XCTAssertEqual(s.runScript(script + "\n").exitStatus, 0, s.stderr)
    return s
  }

  private func rows(_ profile: Profile) throws -> (a: HeatmapRow, b: HeatmapRow, map: Heatmap) {
    let map = try Heatmap(profile: profile)
    let a = try XCTUnwrap(map.rows.first { $0.name == "phase_a" }, "\(map.rows.map(\.name))")
    let b = try XCTUnwrap(map.rows.first { $0.name == "phase_b" }, "\(map.rows.map(\.name))")
    return (a, b, map)
  }

  /// phase_a drawn in the first eighth where phase_b is nothing, the reverse in the last
  /// eighth, and no overlap but the switch's column; each row's series sums to its CPU Time.
  private func assertPhases(
    _ a: HeatmapRow, _ b: HeatmapRow, oneRun: Bool = true, file: StaticString = #filePath, line: UInt = #line
  ) {
    guard let ta = a.timeline, let tb = b.timeline else {
      return XCTFail("rows without a timeline", file: file, line: line)
    }
    XCTAssertEqual(ta.selfNanos.reduce(0, +), a.cpuNanos, file: file, line: line)
    XCTAssertEqual(tb.selfNanos.reduce(0, +), b.cpuNanos, file: file, line: line)
    // phase_a starts the run and phase_b ends it; the load decides where the switch falls,
    // but phase_b has no time before phase_a's last column and phase_a none after phase_b's
    // first (they share at most the one column the switch falls in).
    let ca = ta.columns(8).map { $0 ?? 0 }
    let cb = tb.columns(8).map { $0 ?? 0 }
    XCTAssertGreaterThan(ca[0], 0, "phase_a \(ca)", file: file, line: line)
    XCTAssertEqual(cb[0], 0, "phase_b \(cb)", file: file, line: line)
    XCTAssertGreaterThan(cb[7], 0, "phase_b \(cb)", file: file, line: line)
    XCTAssertEqual(ca[7], 0, "phase_a \(ca)", file: file, line: line)
    let lastA = ca.lastIndex { $0 > 0 } ?? 0
    let firstB = cb.firstIndex { $0 > 0 } ?? 7
    // Overlaid runs switch at different points: only the ends hold for them.
    if oneRun { XCTAssertLessThanOrEqual(lastA, firstB, "phase_a \(ca) phase_b \(cb)", file: file, line: line) }
    // The glyphs: phase_a drawn at the left and blank at the right, phase_b the reverse.
    let ga = Array(HeatmapRenderer.sparkline(a, width: 8) ?? "")
    let gb = Array(HeatmapRenderer.sparkline(b, width: 8) ?? "")
    XCTAssertEqual(ga.count, 8, file: file, line: line)
    XCTAssertEqual(gb.count, 8, file: file, line: line)
    XCTAssertNotEqual(ga.first, " ", "\(ga)", file: file, line: line)
    XCTAssertEqual(ga.last, " ", "\(ga)", file: file, line: line)
    XCTAssertEqual(gb.first, " ", "\(gb)", file: file, line: line)
    XCTAssertNotEqual(gb.last, " ", "\(gb)", file: file, line: line)
  }

  func testSampledSparklineShowsThePhaseChange() throws {
    let phases = try Workloads.path("phases")
    let s = try run("run \(phases)\nheatmap sparkline")
    let p = try XCTUnwrap(s.context.sessions.current?.profile)
    let timeline = try XCTUnwrap(p.timeline)
    XCTAssertEqual(timeline.runs, 1)
    XCTAssertLessThanOrEqual(timeline.cells.count, p.locations.count * SampleTimeline.bucketCount)
    let (a, b, map) = try rows(p)
    guard case .sampledSelfTime = map.timelineKind else { return XCTFail("\(map.timelineKind)") }
    assertPhases(a, b)
    // The text view draws the same series and says what it is.
    XCTAssertTrue(s.stdout.contains("Sparkline: sampled self time over the run"), s.stdout)
    let line = try XCTUnwrap(s.stdout.split(separator: "\n").first { $0.hasPrefix("phase_a") }, s.stdout)
    XCTAssertTrue(line.contains("█"), "the peak column is full height: \(line)")
  }

  func testTimelineSurvivesSaveAndOpen() throws {
    let phases = try Workloads.path("phases")
    let file = directory.appendingPathComponent("phases.perfsh").path
    let s = try run("run \(phases)\nsave \(file)\nopen \(file)")
    let sessions = s.context.sessions.sessions
    XCTAssertEqual(sessions.count, 2)
    let before = try XCTUnwrap(sessions.first?.profile.timeline)
    let after = try XCTUnwrap(sessions.last?.profile.timeline)
    XCTAssertEqual(before, after)
    let (a, b, _) = try rows(try XCTUnwrap(sessions.last?.profile))
    assertPhases(a, b)
  }

  func testRepeatedRunsOverlayOnTheirOwnTime() throws {
    let phases = try Workloads.path("phases")
    let s = try run("run -n 2 \(phases)\nheatmap sparkline")
    let p = try XCTUnwrap(s.context.sessions.current?.profile)
    XCTAssertEqual(p.timeline?.runs, 2)
    let (a, b, _) = try rows(p)
    assertPhases(a, b, oneRun: false)
    XCTAssertTrue(s.stdout.contains("2 runs overlaid on their own time"), s.stdout)
  }

  func testTracedSparklineShowsAverageSelfTimePerCallOverTime() throws {
    guard FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/uprobe") else {
      throw XCTSkip("the kernel has no uprobes")
    }
    let phases = try Workloads.path("phases")
    let s = try run("set tracebackend ring\nrun --trace '^phase_[ab]$' \(phases)\nheatmap sparkline")
    let p = try XCTUnwrap(s.context.sessions.current?.profile)
    XCTAssertEqual(p.callEvents?.events.count, 400, "200 calls of each phase kept")
    let (a, b, map) = try rows(p)
    guard case .tracedAveragePerCall = map.timelineKind else { return XCTFail("\(map.timelineKind)") }
    let ca = try XCTUnwrap(a.timeline).columns(4)
    let cb = try XCTUnwrap(b.timeline).columns(4)
    // Calls of phase_a begin only before phase_b's first: no average where none began.
    XCTAssertNotNil(ca[0], "\(ca)")
    XCTAssertNil(ca[3], "\(ca)")
    XCTAssertNil(cb[0], "\(cb)")
    XCTAssertNotNil(cb[3], "\(cb)")
    // Every call is one chunk of the same loop: where calls began, the average per call is
    // the function's average within a factor the machine's load cannot reach from one chunk to the next.
    let avg = Double(try XCTUnwrap(a.avgNanos))
    XCTAssertEqual(try XCTUnwrap(ca[0]) / avg, 1, accuracy: 0.5, "\(ca) vs avg \(avg)")
    XCTAssertTrue(s.stdout.contains("Sparkline: average self time per call"), s.stdout)
  }
}

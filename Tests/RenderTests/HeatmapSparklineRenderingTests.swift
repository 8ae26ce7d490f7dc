import Analysis
import ProfileModel
import XCTest

@testable import Render

/// The sparkline over time as glyphs, from plain rows: each column's level relative to the
/// row's peak, blank where the row had nothing, the same series at every width, and a legend
/// line that says what the heights mean (or that the session has no times).
final class HeatmapSparklineRenderingTests: XCTestCase {
  static let n = SampleTimeline.bucketCount

  static func row(_ name: String, firstHalf: Int64, secondHalf: Int64) -> HeatmapRow {
    var r = HeatmapRow(name: name, count: 1, cpuNanos: firstHalf * Int64(n / 2) + secondHalf * Int64(n / 2))
    r.timeline = HeatmapRowTimeline(
      selfNanos: [Int64](repeating: firstHalf, count: n / 2) + [Int64](repeating: secondHalf, count: n / 2))
    return r
  }

  func testGlyphsFollowTheSeriesRelativeToTheRowsPeak() {
    let a = Self.row("A", firstHalf: 1_000, secondHalf: 0)
    let b = Self.row("B", firstHalf: 250, secondHalf: 1_000)
    XCTAssertEqual(HeatmapRenderer.sparkline(a, width: 8), "████    ")
    XCTAssertEqual(HeatmapRenderer.sparkline(b, width: 8), "▂▂▂▂████")
    XCTAssertEqual(HeatmapRenderer.sparkline(a, width: 1), "█", "width 1: all of the mass in one column")
    XCTAssertEqual(
      HeatmapRenderer.sparkline(a, width: 3), "█▄ ", "the middle column holds half as much of A as the first")
    XCTAssertNil(HeatmapRenderer.sparkline(HeatmapRow(name: "x", count: 1, cpuNanos: 1), width: 8))
  }

  func testSparklineModeDrawsTimeAndSaysWhatItIs() {
    let map = Heatmap(
      rows: [Self.row("A", firstHalf: 1_000, secondHalf: 0), Self.row("B", firstHalf: 0, secondHalf: 500)],
      kind: .sampledSelfTime(spanNanos: 2_000_000_000, runs: 1))
    var out = ""
    HeatmapRenderer.write(
      map, mode: .sparkline, facts: SummaryFacts(), to: &out, options: RenderOptions(color: false, width: 100))
    XCTAssertTrue(out.contains("Sparkline: sampled self time over the run ("), out)
    let lines = out.split(separator: "\n")
    let a = String(lines.first { $0.hasPrefix("A ") } ?? "")
    let b = String(lines.first { $0.hasPrefix("B ") } ?? "")
    XCTAssertTrue(a.contains("████"), a)
    XCTAssertTrue(b.contains("    ████"), b)
    // A sparkline over time is wider than the old one-level row (10 columns).
    XCTAssertGreaterThan(a.filter { $0 == "█" }.count, 10, a)
  }

  func testSessionsWithoutTimesKeepOneLevelAndSaySo() {
    var map = Heatmap(
      rows: [HeatmapRow(name: "A", count: 3, cpuNanos: 3_000), HeatmapRow(name: "B", count: 1, cpuNanos: 1_000)],
      kind: .unavailable(reason: "the session has no sample times (a loaded file)"))
    map.isExact = false
    var out = ""
    HeatmapRenderer.write(
      map, mode: .sparkline, facts: SummaryFacts(), to: &out, options: RenderOptions(color: false, width: 100))
    XCTAssertTrue(
      out.contains("Sparkline: the session has no sample times (a loaded file), so it cannot show time"), out)
    XCTAssertTrue(out.contains("██████████"), out)
    XCTAssertTrue(out.contains("▃▃▃▃▃▃▃▃▃▃"), out)
  }
}

extension Heatmap {
  /// A sampled heatmap of plain rows.
  fileprivate init(rows: [HeatmapRow], kind: HeatmapTimelineKind) {
    self = try! Heatmap(profile: Profile(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")]))
    self.rows = rows
    totalCPUNanos = rows.reduce(0) { $0 + $1.cpuNanos }
    timelineKind = kind
  }
}

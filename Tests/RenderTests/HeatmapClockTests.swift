import Analysis
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

/// The heatmap's clock (CPU or wall) and raw view of traced calls, and the legend saying
/// which one it shows and what probe cost was subtracted.
final class HeatmapClockTests: XCTestCase {
  /// `sleeper`: 10 calls, 50µs CPU and 100ms wall in all; 2µs of probe cost per call taken out.
  private func profile() -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "calls", unit: "count"), ValueType(type: "self", unit: "nanoseconds"),
    ])
    let f = b.function("sleeper")
    b.addSample(leafFirst: [b.location(function: f)], values: [10, 50_000])
    b.withProfile {
      $0.callStatistics = [
        f: CallStatistics(
          calls: 10, selfNanos: 50_000, totalNanos: 50_000, maxSelfNanos: 6_000, p95SelfNanos: 6_000,
          wall: CallTimes(
            selfNanos: 100_000_000, totalNanos: 100_000_000, maxSelfNanos: 10_500_000, p95SelfNanos: 10_400_000),
          rawCPU: CallTimes(selfNanos: 70_000, totalNanos: 70_000, maxSelfNanos: 8_000, p95SelfNanos: 8_000),
          rawWall: CallTimes(
            selfNanos: 100_020_000, totalNanos: 100_020_000, maxSelfNanos: 10_502_000, p95SelfNanos: 10_402_000),
          probeCostNanos: 2_000)
      ]
    }
    return b.build()
  }

  func testCPUIsTheDefaultAndWallIsAsked() throws {
    let cpu = try Heatmap(profile: profile())
    XCTAssertEqual(cpu.clock, .cpu)
    XCTAssertEqual(cpu.rows.first?.cpuNanos, 50_000)
    XCTAssertEqual(cpu.rows.first?.avgNanos, 5_000)
    XCTAssertEqual(cpu.probeCostNanos, 2_000)
    let wall = try Heatmap(profile: profile(), clock: .wall)
    XCTAssertEqual(wall.clock, .wall)
    XCTAssertEqual(wall.rows.first?.cpuNanos, 100_000_000)
    XCTAssertEqual(wall.rows.first?.avgNanos, 10_000_000)
    XCTAssertEqual(wall.rows.first?.p95Nanos, 10_400_000)
    let raw = try Heatmap(profile: profile(), raw: true)
    XCTAssertEqual(raw.rows.first?.cpuNanos, 70_000)
    XCTAssertEqual(raw.rows.first?.maxNanos, 8_000)
    XCTAssertEqual(raw.probeCostNanos, 0)
    XCTAssertEqual(try Heatmap(profile: profile(), clock: .wall, raw: true).rows.first?.cpuNanos, 100_020_000)
  }

  func testLegendSaysWhichClockAndWhatWasSubtracted() throws {
    let facts = SummaryFacts(cpuNanos: 1_000_000)
    let cpu = HeatmapRenderer.legend(try Heatmap(profile: profile()), facts: facts)
    XCTAssertEqual(
      cpu.last,
      "Times: the thread's CPU time per call (time switched out excluded; --clock wall for wall time) | probe cost 2µs per traced call subtracted (--raw keeps it)"
    )
    let wall = HeatmapRenderer.legend(try Heatmap(profile: profile(), clock: .wall), facts: facts)
    XCTAssertTrue(wall.last?.hasPrefix("Times: wall time per call") ?? false, wall.joined(separator: "\n"))
    let raw = HeatmapRenderer.legend(try Heatmap(profile: profile(), raw: true), facts: facts)
    XCTAssertTrue(raw.last?.hasSuffix("raw: probe cost not subtracted") ?? false, raw.joined(separator: "\n"))
  }

  func testProfilesWithoutWallTimesKeepTheSeedsLegend() throws {
    var p = profile()
    for key in p.callStatistics.keys {
      p.callStatistics[key] = CallStatistics(
        calls: 10, selfNanos: 50_000, totalNanos: 50_000, maxSelfNanos: 6_000, p95SelfNanos: 6_000)
    }
    let h = try Heatmap(profile: p, clock: .wall)
    XCTAssertEqual(h.rows.first?.cpuNanos, 50_000, "no wall numbers to show: the measured ones stay")
    XCTAssertEqual(HeatmapRenderer.legend(h, facts: SummaryFacts(cpuNanos: 1)).count, 3)
  }

  func testGoroutinePairedCallsSayWhatTheirTimesAre() throws {
    var p = profile()
    for key in p.callStatistics.keys { p.callStatistics[key]?.perGoroutine = true }
    let facts = SummaryFacts(cpuNanos: 1_000_000)
    let cpu = try Heatmap(profile: p)
    XCTAssertTrue(cpu.perGoroutine)
    let wall = try Heatmap(profile: p, clock: .wall)
    var text = ""
    for heatmap in [cpu, wall] {
      HeatmapRenderer.write(heatmap, mode: .table, facts: facts, to: &text)
      text += "\n"
    }
    assertSnapshot(text, named: "heatmap-traced-goroutines-table")
    XCTAssertFalse(try Heatmap(profile: profile()).perGoroutine)
  }
}

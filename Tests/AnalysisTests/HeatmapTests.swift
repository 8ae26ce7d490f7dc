import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

final class HeatmapTests: XCTestCase {
  func testSampledHeatmapUsesSelfTimeAndSamplesAndInventsNothing() throws {
    let h = try Heatmap(profile: ProfileFixtures.cpu())
    XCTAssertFalse(h.isExact)
    XCTAssertNil(h.totalCalls)
    let ms: Int64 = 1_000_000
    XCTAssertEqual(h.rows.map(\.name), ["line1000", "line3000", "memcpy", "line2001", "main"])
    XCTAssertEqual(h.rows.map(\.cpuNanos), [1000 * ms, 50 * ms, 30 * ms, 10 * ms, 10 * ms])
    XCTAssertEqual(h.rows.map(\.count), [100, 5, 3, 1, 1], "Count is the number of samples")
    XCTAssertTrue(h.rows.allSatisfy { $0.avgNanos == nil && $0.maxNanos == nil && $0.p95Nanos == nil })
    XCTAssertEqual(h.totalCPUNanos, 1100 * ms)
  }

  func testSampledHeatmapHonoursFilters() throws {
    let filter = try ProfileFilter(focus: "line3000")
    let h = try Heatmap(profile: ProfileFixtures.cpu(), filter: filter)
    XCTAssertFalse(h.rows.contains { $0.name == "memcpy" }, "memcpy is never called under line3000")
    XCTAssertEqual(h.rows.first?.name, "line1000")
  }

  func testTracedHeatmapIsExactAndSorts() throws {
    let p = ProfileFixtures.traced()
    let byCPU = try Heatmap(profile: p)
    XCTAssertTrue(byCPU.isExact)
    XCTAssertEqual(byCPU.rows.first?.name, "utils.processCustomTags")
    XCTAssertEqual(byCPU.rows.first?.avgNanos, 165_606_820 / 447_586)
    XCTAssertEqual(byCPU.totalCalls, 447_586 + 199 + 53_429 + 1024 + 1)
    let byCalls = try Heatmap(profile: p, sort: .calls)
    XCTAssertEqual(byCalls.rows.map(\.count), byCalls.rows.map(\.count).sorted(by: >))
    let byAvg = try Heatmap(profile: p, sort: .avg)
    XCTAssertEqual(byAvg.rows.first?.name, "Swift.Array.append(__owned A) -> ()")
    let byMax = try Heatmap(profile: p, sort: .max)
    XCTAssertEqual(byMax.rows.first?.maxNanos, 6_233_000)
  }

  func testEntryOnlyTracingHasCountsButNoTimes() throws {
    var p = ProfileFixtures.traced()
    for key in p.callStatistics.keys {
      p.callStatistics[key] = CallStatistics(
        calls: p.callStatistics[key]!.calls, selfNanos: 0, totalNanos: 0, maxSelfNanos: 0, p95SelfNanos: nil,
        hasDurations: false)
    }
    let h = try Heatmap(profile: p, sort: .calls)
    XCTAssertTrue(h.countsOnly)
    XCTAssertEqual(h.rows.first?.count, 447_586)
    XCTAssertTrue(h.rows.allSatisfy { $0.avgNanos == nil && $0.p95Nanos == nil && $0.maxNanos == nil })
  }

  func testWithoutASamplesColumnCountIsSampleRecordsNotAnEstimate() throws {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    b.addSample(rootFirstNames: ["main", "work"], values: [3_000_000])  // one record of 3ms
    b.addSample(rootFirstNames: ["main", "work"], values: [1_000_000])
    b.withProfile { $0.period = 1_000_000 }
    let h = try Heatmap(profile: b.build())
    XCTAssertEqual(h.rows.first?.name, "work")
    XCTAssertEqual(h.rows.first?.count, 2, "two sample records, not 4ms ÷ 1ms")
    XCTAssertEqual(h.rows.first?.cpuNanos, 4_000_000)
  }

  func testProfileWithoutTimeColumnIsAnError() {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "alloc_space", unit: "bytes")])
    b.addSample(rootFirstNames: ["main"], values: [10])
    XCTAssertThrowsError(try Heatmap(profile: b.build()))
  }
}

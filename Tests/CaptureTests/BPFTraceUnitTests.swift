import CBPF
import ProfileModel
import XCTest

@testable import Capture

/// The Swift side of the in-kernel trace path with plain values: the histogram's buckets and
/// percentiles, and the probe-cost correction of the kernel's sums (the ring path's rule).
final class BPFTraceUnitTests: XCTestCase {
  func testBucketsAreExactBelow32AndAtMostAThirtySecondWideAbove() {
    for v: UInt64 in 0..<32 { XCTAssertEqual(BPFHistogram.bucket(of: v), Int(v)) }
    XCTAssertEqual(BPFHistogram.bucket(of: 32), 32)
    XCTAssertEqual(BPFHistogram.bucket(of: 63), 63)
    XCTAssertEqual(BPFHistogram.bucket(of: 64), 64)
    XCTAssertEqual(BPFHistogram.bucket(of: 65), 64, "64 and 65 share a 2-wide bucket")
    for v: UInt64 in [100, 999, 2_540, 5_000, 123_456, 10_000_000, 1 << 35] {
      let b = BPFHistogram.bounds(of: BPFHistogram.bucket(of: v))
      XCTAssertTrue(b.contains(v), "\(v) in \(b)")
      XCTAssertLessThanOrEqual(Double(b.upperBound - b.lowerBound + 1) / Double(b.lowerBound), 1.0 / 32 + 1e-9)
    }
    XCTAssertEqual(BPFHistogram.bucket(of: .max), BPFHistogram.bucketCount - 1, "past the last bucket: the last")
  }

  func testPercentileIsWithinHalfABucketOfTheNearestRank() {
    var h = BPFHistogram()
    for v in 1...1_000 { h.record(UInt64(v) * 100) }  // 100 ns … 100 µs
    let p95 = try? XCTUnwrap(h.percentile(95, maximum: 100_000))
    XCTAssertEqual(Double(p95 ?? 0), 95_000, accuracy: 95_000 / 64 + 1)
    let p50 = h.percentile(50, maximum: 100_000) ?? 0
    XCTAssertEqual(Double(p50), 50_000, accuracy: 50_000 / 64 + 1)
    XCTAssertEqual(h.percentile(100, maximum: 99_000), 99_000, "never above the maximum")
    XCTAssertNil(BPFHistogram().percentile(95, maximum: 0))
    XCTAssertEqual(BPFHistogram(perCPU: [[1, 2], [3]]).counts.prefix(3), [4, 2, 0])
  }

  func testSumsLoseTheProbeCostAsTheRingPathTakesItOut() {
    var s = perfsh_trace_stats()
    s.calls = 10
    s.children = 20
    s.descendants = 30
    s.cpu_self = 100_000
    s.cpu_total = 300_000
    s.wall_self = 150_000
    s.wall_total = 400_000
    s.cpu_max = 9_000
    s.raw_cpu_max = 11_000
    var h = BPFHistogram()
    for _ in 0..<10 { h.record(8_000) }
    let cost = ProbeCost(insideNanos: 1_000, outsideNanos: 500)
    let stats = BPFCallTracer.statistics(of: s, histograms: [h, h, h, h], open: 2, cost: cost)
    XCTAssertEqual(stats.calls, 10)
    // Own traps inside each call (10 × 1 µs) and callees' outside theirs (20 × 0.5 µs).
    XCTAssertEqual(stats.selfNanos, 100_000 - 10_000 - 10_000)
    // Totals lose every descendant's whole cost too (30 × 1.5 µs).
    XCTAssertEqual(stats.totalNanos, 300_000 - 10_000 - 45_000)
    XCTAssertEqual(stats.wall?.selfNanos, 150_000 - 20_000)
    XCTAssertEqual(stats.maxSelfNanos, 9_000, "corrected per call in the kernel")
    XCTAssertEqual(stats.rawCPU?.selfNanos, 100_000)
    XCTAssertEqual(stats.rawCPU?.maxSelfNanos, 11_000)
    XCTAssertEqual(Double(stats.p95SelfNanos ?? 0), 8_000, accuracy: 8_000 / 64 + 1)
    XCTAssertEqual(stats.unmatchedEntries, 2, "calls still open at the end")
    XCTAssertEqual(stats.probeCostNanos, 1_500)
    let raw = BPFCallTracer.statistics(of: s, histograms: [h, h, h, h], open: 0, cost: .zero)
    XCTAssertNil(raw.rawCPU, "no cost, no separate raw numbers (as the ring path)")
    XCTAssertEqual(raw.selfNanos, 100_000)
  }

  func testSitesComeInEntryReturnPairsSoTheCookieNamesFunctionAndKind() {
    let sites = BPFCallTracer.sites(for: [("/a", 16), ("/b", 32)])
    XCTAssertEqual(sites.map(\.offset), [16, 16, 32, 32])
    XCTAssertEqual(sites.map(\.isReturn), [false, true, false, true])
  }

  func testGoAndEntryOnlyProbesStayOnTheRingPath() {
    XCTAssertNil(BPFCallTracer.unsupportedReason([TraceProbe(path: "/a", fileOffset: 0, probesReturns: true)]))
    XCTAssertNotNil(
      BPFCallTracer.unsupportedReason([
        TraceProbe(path: "/a", fileOffset: 0, probesReturns: false, returnOffsets: [4], readsGoroutine: true)
      ]))
    XCTAssertNotNil(BPFCallTracer.unsupportedReason([TraceProbe(path: "/a", fileOffset: 0, probesReturns: false)]))
    XCTAssertThrowsError(try BPFCallTracer(probes: [TraceProbe(path: "/a", fileOffset: 0, probesReturns: false)]))
  }
}

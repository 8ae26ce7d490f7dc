import ProfileModel
import XCTest

/// The sample timeline's bucketing, merging and resampling on plain values: mass is never
/// lost or invented, buckets merge as the run grows, and the edge cases hold.
final class SampleTimelineTests: XCTestCase {
  let a = LocationID(3)
  let b = LocationID(7)

  func series(_ t: SampleTimeline, _ location: LocationID) -> [Int64] {
    t.seriesByLocation()[location] ?? [Int64](repeating: 0, count: SampleTimeline.bucketCount)
  }

  func testSamplesLandInTheBucketsOfTheirTime() {
    var r = SampleTimelineRecorder(initialBucketNanos: 1_000)
    r.start(at: 10_000)
    // 64 timeline buckets over 128 µs: each 2 µs wide.
    for i in 0..<128 { r.record(5, location: i < 64 ? a : b, time: 10_000 + UInt64(i) * 1_000) }
    let t = r.finish(spanNanos: 128_000)
    XCTAssertEqual(t.spanNanos, 128_000)
    XCTAssertEqual(series(t, a), [Int64](repeating: 10, count: 32) + [Int64](repeating: 0, count: 32))
    XCTAssertEqual(series(t, b), [Int64](repeating: 0, count: 32) + [Int64](repeating: 10, count: 32))
    XCTAssertEqual(t.total, 128 * 5)
  }

  func testAPhaseChangeInsideACaptureBucketStaysOnItsSide() {
    // Capture buckets 3 ns wide against timeline buckets 2 ns wide: capture bucket 0 ([0, 3))
    // straddles the edge at 2. a's samples are at 0 and 1, b's at 2: spreading each cell over
    // the whole capture bucket would put a third of a after the edge and two thirds of b before it.
    var r = SampleTimelineRecorder(initialBucketNanos: 3)
    r.start(at: 100)
    r.record(10, location: a, time: 100)
    r.record(10, location: a, time: 101)
    r.record(10, location: b, time: 102)
    let t = r.finish(spanNanos: 128)
    XCTAssertEqual(r.bucketNanos, 3)
    XCTAssertEqual(series(t, a), [20] + [Int64](repeating: 0, count: 63))
    XCTAssertEqual(series(t, b), [0, 10] + [Int64](repeating: 0, count: 62))
    // A merged cell keeps its samples' whole range: a's time after a widening spreads only
    // over the stretch its samples span.
    var w = SampleTimelineRecorder(initialBucketNanos: 1)
    w.start(at: 0)
    w.record(6, location: a, time: 10)
    w.record(6, location: a, time: 13)
    w.record(1, location: b, time: 500)
    let u = w.finish(spanNanos: 640)
    XCTAssertGreaterThan(w.bucketNanos, 1)
    XCTAssertEqual(series(u, a), [0, 12] + [Int64](repeating: 0, count: 62), "10 and 13 lie in [10, 20)")
  }

  func testLongRunsMergeBucketsAndKeepMemoryBounded() {
    var r = SampleTimelineRecorder(initialBucketNanos: 1)
    // A run 2^20 times longer than the first grid: the grid doubles, cells stay within 128 per location.
    var sum: Int64 = 0
    for i in 0..<5_000 {
      let value = Int64(i % 7 + 1)
      sum += value
      r.record(value, location: i % 2 == 0 ? a : b, time: UInt64(i) * 211)
    }
    XCTAssertGreaterThan(r.bucketNanos, 1)
    XCTAssertLessThanOrEqual(r.cellCount, 2 * SampleTimelineRecorder.captureBuckets)
    let t = r.finish()
    XCTAssertEqual(t.total, sum, "merging buckets keeps every nanosecond")
    XCTAssertLessThanOrEqual(t.cells.count, 2 * SampleTimeline.bucketCount)
    // Evenly spread samples stay evenly spread (within one capture bucket's rounding).
    let sa = series(t, a)
    XCTAssertEqual(Double(sa.reduce(0, +)), Double(sum) / 2, accuracy: Double(sum) * 0.01)
    XCTAssertLessThan(Double(sa.max() ?? 0), 2.0 * Double(sa.reduce(0, +)) / 64)
  }

  func testZeroLengthRunAndOneSample() {
    var r = SampleTimelineRecorder()
    XCTAssertTrue(r.isEmpty)
    r.start(at: 500)
    r.record(1_000_000, location: a, time: 500)
    let zero = r.finish(spanNanos: 0)
    XCTAssertEqual(zero.spanNanos, 1, "a zero-length run still has a span")
    XCTAssertEqual(zero.total, 1_000_000, "and keeps its time (spread: there is no time to tell apart)")
    let one = r.finish(spanNanos: 1_000_000)
    XCTAssertEqual(series(one, a).first, 1_000_000, "one sample at the start of a 1 ms run is in the first bucket")
    XCTAssertEqual(one.total, 1_000_000)
  }

  func testSamplesBeforeTheStartCountAtTheStartAndPastTheSpanAtTheEnd() {
    var r = SampleTimelineRecorder(initialBucketNanos: 10)
    r.start(at: 1_000)
    r.record(3, location: a, time: 900)
    r.record(4, location: a, time: 1_000 + 6_400 * 3)
    let t = r.finish(spanNanos: 6_400)
    XCTAssertEqual(t.spanNanos, 6_400 * 3 + 1, "the span reaches the last sample")
    XCTAssertEqual(series(t, a).first, 3)
    XCTAssertEqual(series(t, a).last, 4)
  }

  func testResamplingConservesMassForAnyWidth() {
    let values: [Int64] = (0..<64).map { Int64(($0 * 37) % 11) * 1_000 + 1 }
    let edges = (0...64).map(Double.init)
    for width in [1, 2, 3, 7, 10, 63, 64, 65, 100, 200] {
      let ints = TimelineMath.resample(values, sourceEdges: edges, targetCount: width, targetSpan: 64)
      XCTAssertEqual(ints.count, width)
      XCTAssertEqual(ints.reduce(0, +), values.reduce(0, +), "width \(width)")
      let reals = TimelineMath.resampled(values, sourceEdges: edges, targetCount: width, targetSpan: 64)
      XCTAssertEqual(reals.reduce(0, +), Double(values.reduce(0, +)), accuracy: 1e-6, "width \(width)")
    }
    XCTAssertEqual(TimelineMath.resample([5, 7], sourceEdges: [0, 1, 2], targetCount: 1, targetSpan: 2), [12])
    XCTAssertEqual(
      TimelineMath.resample([5, 7], sourceEdges: [0, 1, 2], targetCount: 4, targetSpan: 2), [3, 2, 4, 3])
    XCTAssertEqual(TimelineMath.resample([], sourceEdges: [0], targetCount: 0, targetSpan: 1), [])
  }

  func testSplitIsExactAndProportional() {
    XCTAssertEqual(TimelineMath.split(10, weights: [1, 1]), [5, 5])
    XCTAssertEqual(TimelineMath.split(10, weights: [1, 2, 0]), [3, 7, 0])
    XCTAssertEqual(TimelineMath.split(7, weights: [0, 0]), [7, 0])
    XCTAssertEqual(TimelineMath.split(1_000_003, weights: [3, 3, 3]).reduce(0, +), 1_000_003)
    XCTAssertEqual(TimelineMath.split(5, weights: []), [])
  }

  func testOverlayAddsRunsOnNormalizedTime() {
    var first = SampleTimeline(spanNanos: 1_000)
    first.add(10, location: a, bucket: 0)
    var second = SampleTimeline(spanNanos: 3_000)
    second.add(20, location: b, bucket: 0)
    second.add(5, location: a, bucket: 63)
    first.overlay(second) { $0 == self.b ? LocationID(9) : $0 }
    XCTAssertEqual(first.runs, 2)
    XCTAssertEqual(first.spanNanos, 2_000, "the mean run")
    XCTAssertEqual(series(first, a)[0], 10)
    XCTAssertEqual(series(first, a)[63], 5)
    XCTAssertEqual(series(first, LocationID(9))[0], 20)
    XCTAssertEqual(first.total, 35)
  }

  func testRedistributeMovesEachLeafsTimeExactly() {
    var t = SampleTimeline(spanNanos: 100)
    t.add(9, location: a, bucket: 1)
    t.add(4, location: b, bucket: 2)
    t.redistribute([a: [(a, 1), (LocationID(11), 2)]])
    XCTAssertEqual(series(t, a)[1], 3)
    XCTAssertEqual(series(t, LocationID(11))[1], 6)
    XCTAssertEqual(series(t, b)[2], 4, "locations without shares stay")
    XCTAssertEqual(t.total, 13)
  }

  func testHostileTimesNeverOverflow() {
    var r = SampleTimelineRecorder()
    r.start(at: 0)
    r.record(2, location: a, time: 1)
    r.record(3, location: a, time: UInt64.max)
    let t = r.finish(spanNanos: Int64.max)
    XCTAssertEqual(t.total, 5)
    XCTAssertEqual(series(t, a).first, 2)
    XCTAssertEqual(series(t, a).last, 3)
  }
}

import Capture
import XCTest

/// The shadow stacks and decoder on constructed hit sequences (no kernel).
final class TraceUnitTests: XCTestCase {
  private func hit(_ t: UInt64, _ tid: UInt32, _ f: UInt32, ret: Bool) -> TraceHit {
    TraceHit(time: t, tid: tid, function: f, isReturn: ret)
  }

  func testNestedCallsSubtractTracedCallees() {
    var s = ShadowStacks(probesReturns: [true, true])
    for h in [hit(0, 1, 0, ret: false), hit(10, 1, 1, ret: false), hit(40, 1, 1, ret: true), hit(100, 1, 0, ret: true)]
    {
      s.consume(h)
    }
    let stats = s.statistics()
    XCTAssertEqual(stats[0].calls, 1)
    XCTAssertEqual(stats[0].totalNanos, 100)
    XCTAssertEqual(stats[0].selfNanos, 70)
    XCTAssertEqual(stats[1].selfNanos, 30)
    XCTAssertEqual(stats[1].maxSelfNanos, 30)
  }

  func testRecursionSelfTimesSumToOutermostDuration() {
    var s = ShadowStacks(probesReturns: [true])
    let hits = [
      hit(0, 1, 0, ret: false), hit(5, 1, 0, ret: false), hit(7, 1, 0, ret: false),
      hit(17, 1, 0, ret: true), hit(20, 1, 0, ret: true), hit(50, 1, 0, ret: true),
    ]
    for h in hits { s.consume(h) }
    let r = s.statistics()[0]
    XCTAssertEqual(r.calls, 3)
    XCTAssertEqual(r.selfNanos, 50)
    XCTAssertEqual(r.totalNanos, 50 + 15 + 10)
  }

  func testThreadsHaveSeparateStacks() {
    var s = ShadowStacks(probesReturns: [true])
    let hits = [hit(0, 1, 0, ret: false), hit(1, 2, 0, ret: false), hit(10, 1, 0, ret: true), hit(31, 2, 0, ret: true)]
    for h in hits { s.consume(h) }
    let r = s.statistics()[0]
    XCTAssertEqual(r.calls, 2)
    XCTAssertEqual(r.totalNanos, 40)
    XCTAssertEqual(r.maxSelfNanos, 30)
  }

  func testMissingReturnsAreCountedNotMixedIn() {
    // f1 entered but longjmp'ed over: f0's return pops it as unmatched; a stray return is counted.
    var s = ShadowStacks(probesReturns: [true, true])
    let hits = [
      hit(0, 1, 0, ret: false), hit(5, 1, 1, ret: false), hit(20, 1, 0, ret: true), hit(25, 1, 1, ret: true),
      hit(30, 1, 0, ret: false),
    ]
    for h in hits { s.consume(h) }
    let stats = s.statistics()
    XCTAssertEqual(stats[0].calls, 1)
    XCTAssertEqual(stats[0].selfNanos, 20)
    XCTAssertEqual(stats[0].unmatchedEntries, 1, "the entry still open at the end")
    XCTAssertEqual(stats[1].calls, 0)
    XCTAssertEqual(stats[1].unmatchedEntries, 1)
    XCTAssertEqual(s.unmatchedReturns, 1)
  }

  func testEntryOnlyFunctionsCountCallsWithoutDurations() {
    var s = ShadowStacks(probesReturns: [false])
    for t in 0..<5 { s.consume(hit(UInt64(t), 1, 0, ret: false)) }
    let r = s.statistics()[0]
    XCTAssertEqual(r.calls, 5)
    XCTAssertFalse(r.hasDurations)
    XCTAssertNil(r.p95SelfNanos)
  }

  func testPercentileIsNearestRank() {
    var d = SelfTimeDistribution()
    for v in 1...100 { d.record(Int64(v)) }
    XCTAssertEqual(d.percentile(95), 95)
    XCTAssertEqual(d.percentile(100), 100)
    XCTAssertEqual(d.maximum, 100)
  }

  func testDecoderReadsSamplesAndLostRecords() {
    var decoder = TraceRecordDecoder()
    decoder.register(id: 77, function: 3, isReturn: true)
    var bytes: [UInt8] = []
    func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    append(UInt32(9))
    append(UInt16(0))
    append(UInt16(32))
    append(UInt64(77))
    append(UInt32(10))
    append(UInt32(11))
    append(UInt64(1234))
    append(UInt32(2))
    append(UInt16(0))
    append(UInt16(24))
    append(UInt64(5))
    append(UInt64(6))
    append(UInt32(9))
    append(UInt16(0))  // partial record
    var hits: [TraceHit] = []
    let used = bytes.withUnsafeBytes { decoder.decode($0, into: &hits) }
    XCTAssertEqual(used, 56)
    XCTAssertEqual(hits, [TraceHit(time: 1234, tid: 11, function: 3, isReturn: true)])
    XCTAssertEqual(decoder.lostRecords, 6)
  }

  func testRetprobeFormatParses() {
    XCTAssertEqual(UprobePMU.parseConfigBit("config:0\n"), 0)
    XCTAssertNil(UprobePMU.parseConfigBit("config:32-63"))
  }
}

/// The histogram fallback of `SelfTimeDistribution` beyond its exact limit.
final class SelfTimeDistributionTests: XCTestCase {
  func testLargeDistributionsStayWithinTheBucketPrecision() {
    var d = SelfTimeDistribution()
    let n = SelfTimeDistribution.exactLimit + 100_000
    // Values 1_000 ... 1_000 + n − 1 in a scrambled order.
    for i in 0..<n { d.record(Int64(1_000 + (i &* 7919) % n)) }
    XCTAssertFalse(d.isExact)
    XCTAssertEqual(d.count, n)
    XCTAssertEqual(d.maximum, Int64(1_000 + n - 1))
    let truth = Double(1_000 + Int((0.95 * Double(n)).rounded(.up)) - 1)
    let p95 = Double(d.percentile(95) ?? 0)
    XCTAssertEqual(p95, truth, accuracy: truth / 64)
  }

  func testBucketsCoverTheirValues() {
    for v: Int64 in [0, 1, 63, 64, 65, 127, 128, 1_000, 123_456_789, Int64.max / 2] {
      let b = SelfTimeDistribution.bucket(of: v)
      XCTAssertGreaterThanOrEqual(SelfTimeDistribution.upperBound(of: b), v)
      if b > 0 { XCTAssertLessThan(SelfTimeDistribution.upperBound(of: b - 1), v) }
    }
  }
}

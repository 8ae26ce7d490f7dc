import Capture
import ProfileModel
import XCTest

/// CPU time from context switches and the probe-cost correction, on constructed records.
final class TraceClockUnitTests: XCTestCase {
  private func hit(_ t: UInt64, _ f: UInt32, _ kind: TraceHit.Kind, tid: UInt32 = 1) -> TraceHit {
    TraceHit(time: t, tid: tid, function: f, kind: kind)
  }

  func testTimeSwitchedOutIsWallTimeButNotCPUTime() {
    var s = ShadowStacks(probesReturns: [true])
    for h in [hit(0, 0, .entry), hit(10, 0, .switchOut), hit(60, 0, .switchIn), hit(100, 0, .return)] { s.consume(h) }
    let r = s.statistics()[0]
    XCTAssertEqual(r.clock, .cpu)
    XCTAssertEqual(r.selfNanos, 50)
    XCTAssertEqual(r.totalNanos, 50)
    XCTAssertEqual(r.wall, CallTimes(selfNanos: 100, totalNanos: 100, maxSelfNanos: 100, p95SelfNanos: 100))
    XCTAssertNil(r.rawCPU, "nothing subtracted, so no raw view")
  }

  func testCalleeSwitchedOutLowersBothCallersCPUButNotItsSelfCPU() {
    var s = ShadowStacks(probesReturns: [true, true])
    let hits = [
      hit(0, 0, .entry), hit(10, 1, .entry), hit(20, 0, .switchOut), hit(70, 0, .switchIn), hit(80, 1, .return),
      hit(100, 0, .return),
    ]
    for h in hits { s.consume(h) }
    let stats = s.statistics()
    XCTAssertEqual(stats[1].selfNanos, 20)
    XCTAssertEqual(stats[1].wall?.selfNanos, 70)
    XCTAssertEqual(stats[0].totalNanos, 50)
    XCTAssertEqual(stats[0].selfNanos, 30)
    XCTAssertEqual(stats[0].wall?.totalNanos, 100)
    XCTAssertEqual(stats[0].wall?.selfNanos, 30)
  }

  func testOtherThreadsSwitchesDoNotCount() {
    var s = ShadowStacks(probesReturns: [true])
    let hits = [hit(0, 0, .entry), hit(10, 0, .switchOut, tid: 2), hit(60, 0, .switchIn, tid: 2), hit(100, 0, .return)]
    for h in hits { s.consume(h) }
    XCTAssertEqual(s.statistics()[0].selfNanos, 100)
  }

  func testProbeCostComesOutOfSelfAndCallersTotals() {
    var s = ShadowStacks(probesReturns: [true, true], probeCost: ProbeCost(insideNanos: 5, outsideNanos: 3))
    for h in [hit(0, 0, .entry), hit(10, 1, .entry), hit(30, 1, .return), hit(100, 0, .return)] { s.consume(h) }
    let stats = s.statistics()
    // callee: 20 raw − 5 inside; caller: 100 − 5 inside − one callee's 5 + 3 → 87 total, 72 self.
    XCTAssertEqual(stats[1].selfNanos, 15)
    XCTAssertEqual(stats[0].totalNanos, 87)
    XCTAssertEqual(stats[0].selfNanos, 72)
    XCTAssertEqual(stats[0].selfNanos, 80 - 5 - 3, "raw self − own inside − one callee's outside")
    XCTAssertEqual(stats[0].rawCPU?.selfNanos, 80)
    XCTAssertEqual(stats[0].rawWall?.totalNanos, 100)
    XCTAssertEqual(stats[0].wall?.selfNanos, 72)
    XCTAssertEqual(stats[0].probeCostNanos, 8)
  }

  func testRecursionWithProbeCostStillSumsToTheOutermostCall() {
    var s = ShadowStacks(probesReturns: [true], probeCost: ProbeCost(insideNanos: 1, outsideNanos: 1))
    for h in [
      hit(0, 0, .entry), hit(5, 0, .entry), hit(7, 0, .entry), hit(17, 0, .return), hit(20, 0, .return),
      hit(50, 0, .return),
    ] {
      s.consume(h)
    }
    let r = s.statistics()[0]
    // Levels: 10 − 1 = 9; 15 − 1 − 2 = 12 (self 3); 50 − 1 − 2 × 2 = 45 (self 33).
    XCTAssertEqual(r.calls, 3)
    XCTAssertEqual(r.selfNanos, 9 + 3 + 33)
    XCTAssertEqual(r.totalNanos, 9 + 12 + 45)
    XCTAssertEqual(r.maxSelfNanos, 33, "35 less 1 inside and the mean callee count (2/3, rounded) × 1")
    XCTAssertEqual(r.rawCPU?.selfNanos, 50)
  }

  func testProbeCostNeverMakesTimesNegative() {
    var s = ShadowStacks(probesReturns: [true], probeCost: ProbeCost(insideNanos: 50, outsideNanos: 50))
    for h in [hit(0, 0, .entry), hit(10, 0, .return)] { s.consume(h) }
    XCTAssertEqual(s.statistics()[0].selfNanos, 0)
    XCTAssertEqual(s.statistics()[0].rawCPU?.selfNanos, 10)
  }

  func testViewsPickClockAndRawNumbers() throws {
    var s = ShadowStacks(probesReturns: [true], probeCost: ProbeCost(insideNanos: 5, outsideNanos: 0))
    for h in [hit(0, 0, .entry), hit(10, 0, .switchOut), hit(60, 0, .switchIn), hit(100, 0, .return)] { s.consume(h) }
    let r = s.statistics()[0]
    XCTAssertEqual(r.viewed(.cpu).selfNanos, 45)
    XCTAssertEqual(r.viewed(.wall).selfNanos, 95)
    XCTAssertEqual(r.viewed(.wall).clock, .wall)
    XCTAssertEqual(r.viewed(.cpu, raw: true).selfNanos, 50)
    XCTAssertEqual(r.viewed(.wall, raw: true).selfNanos, 100)
    XCTAssertEqual(r.viewed(.wall, raw: true).probeCostNanos, 0)
    XCTAssertEqual(r.viewed(.wall).averageSelfNanos, 95)
    let merged = try XCTUnwrap(CallStatistics.merged([r, r]))
    XCTAssertEqual(merged.calls, 2)
    XCTAssertEqual(merged.wall?.selfNanos, 190)
    XCTAssertEqual(merged.rawCPU?.selfNanos, 100)
  }

  func testDecoderReadsSwitchRecords() {
    var decoder = TraceRecordDecoder()
    var bytes: [UInt8] = []
    func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    // PERF_RECORD_SWITCH out (misc bit 13), then in: header, pid, tid, time, id.
    append(UInt32(14))
    append(UInt16(1 << 13))
    append(UInt16(32))
    append(UInt32(5))
    append(UInt32(6))
    append(UInt64(100))
    append(UInt64(9))
    append(UInt32(14))
    append(UInt16(0))
    append(UInt16(32))
    append(UInt32(5))
    append(UInt32(6))
    append(UInt64(150))
    append(UInt64(9))
    var hits: [TraceHit] = []
    let used = bytes.withUnsafeBytes { decoder.decode($0, into: &hits) }
    XCTAssertEqual(used, 64)
    XCTAssertEqual(hits, [TraceHit(time: 100, tid: 6, kind: .switchOut), TraceHit(time: 150, tid: 6, kind: .switchIn)])
  }

  func testCalibrationSplitsInsideAndOutsideIntervals() {
    let hits = [
      hit(0, 0, .entry), hit(7, 0, .return), hit(10, 0, .entry), hit(18, 0, .return), hit(20, 0, .switchOut),
      hit(90, 0, .switchIn), hit(95, 0, .entry), hit(101, 0, .return),
    ]
    var insides: [Int64] = []
    var outsides: [Int64] = []
    ProbeCalibration.split(hits, insides: &insides, outsides: &outsides)
    XCTAssertEqual(insides, [7, 8, 6])
    XCTAssertEqual(outsides, [3], "an interval with a switch in it is left out")
  }
}

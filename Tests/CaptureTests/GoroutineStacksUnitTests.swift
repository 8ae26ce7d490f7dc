import Capture
import ProfileModel
import XCTest

/// Go's pairing rules on constructed records: per goroutine across threads, restarts after
/// stack growth, tail jumps, and the goroutine's CPU clock from scheduler hand-overs.
final class GoroutineStacksUnitTests: XCTestCase {
  private let g1: UInt64 = 0xc000_0001_00
  private let g2: UInt64 = 0xc000_0002_00

  private func hit(_ t: UInt64, _ kind: TraceHit.Kind, tid: UInt32, g: UInt64, f: UInt32 = 0) -> TraceHit {
    TraceHit(time: t, tid: tid, function: f, kind: kind, goroutine: g)
  }

  func testACallThatMovesThreadsPairsOnItsGoroutine() {
    var s = ShadowStacks(probesReturns: [true])
    // g1 enters on thread 1, parks; thread 1 runs g2's call; g1 returns on thread 2.
    let hits = [
      hit(0, .goroutineStart, tid: 1, g: g1), hit(10, .entry, tid: 1, g: g1),
      hit(50, .goroutineStart, tid: 1, g: g2), hit(60, .entry, tid: 1, g: g2), hit(80, .return, tid: 1, g: g2),
      hit(100, .goroutineStart, tid: 2, g: g1), hit(130, .return, tid: 2, g: g1),
    ]
    for h in hits { s.consume(h) }
    let r = s.statistics()[0]
    XCTAssertEqual(r.calls, 2)
    XCTAssertEqual(r.unmatchedEntries, 0)
    XCTAssertEqual(s.unmatchedReturns, 0)
    XCTAssertTrue(r.perGoroutine)
    // Wall: g1 130 − 10 = 120, g2 20. CPU: g1 ran 10→50 on thread 1 and 100→130 on thread 2.
    XCTAssertEqual(r.wall?.selfNanos, 140)
    XCTAssertEqual(r.selfNanos, 40 + 30 + 20)
    XCTAssertEqual(r.maxSelfNanos, 70)
  }

  func testThreadSwitchedOutTimeLeavesTheGoroutinesCPUClock() {
    var s = ShadowStacks(probesReturns: [true])
    let hits = [
      hit(0, .goroutineStart, tid: 1, g: g1), hit(10, .entry, tid: 1, g: g1),
      TraceHit(time: 20, tid: 1, kind: .switchOut), TraceHit(time: 70, tid: 1, kind: .switchIn),
      hit(100, .return, tid: 1, g: g1),
    ]
    for h in hits { s.consume(h) }
    XCTAssertEqual(s.statistics()[0].selfNanos, 40)
    XCTAssertEqual(s.statistics()[0].wall?.selfNanos, 90)
  }

  func testARestartUndoesTheEntryItFollows() {
    var s = ShadowStacks(probesReturns: [true])
    // Recursion two deep; the inner call grows the stack once (entry, restart, entry).
    let hits = [
      hit(0, .entry, tid: 1, g: g1), hit(10, .entry, tid: 1, g: g1), hit(11, .restart, tid: 1, g: g1),
      hit(30, .entry, tid: 1, g: g1), hit(40, .return, tid: 1, g: g1), hit(50, .return, tid: 1, g: g1),
    ]
    for h in hits { s.consume(h) }
    let r = s.statistics()[0]
    XCTAssertEqual(r.calls, 2)
    XCTAssertEqual(r.unmatchedEntries, 0)
    XCTAssertEqual(r.wall?.totalNanos, 10 + 50, "the inner call runs from its restarted entry")
  }

  func testEntryOnlyCountsLoseARestartedEntry() {
    var s = ShadowStacks(probesReturns: [false])
    for h in [hit(0, .entry, tid: 1, g: g1), hit(1, .restart, tid: 1, g: g1), hit(5, .entry, tid: 1, g: g1)] {
      s.consume(h)
    }
    XCTAssertEqual(s.statistics()[0].calls, 1)
  }

  func testATailJumpEndsTheCallWithoutADuration() {
    var s = ShadowStacks(probesReturns: [true, true])
    // f (0) tail-jumps to g (1), whose RET returns to f's caller.
    let hits = [
      hit(0, .entry, tid: 1, g: g1, f: 0), hit(5, .tailJump, tid: 1, g: g1, f: 0),
      hit(6, .entry, tid: 1, g: g1, f: 1), hit(20, .return, tid: 1, g: g1, f: 1),
    ]
    for h in hits { s.consume(h) }
    let st = s.statistics()
    XCTAssertEqual(st[0].calls, 0)
    XCTAssertEqual(st[0].unmatchedEntries, 1, "shown as a call that did not return")
    XCTAssertEqual(st[1].calls, 1)
    XCTAssertEqual(s.unmatchedReturns, 0)
  }

  func testAReturnWithAClobberedR14PairsOnTheThreadsGoroutine() {
    var s = ShadowStacks(probesReturns: [true])
    let hits = [
      hit(0, .goroutineStart, tid: 1, g: g1), hit(10, .entry, tid: 1, g: g1), hit(30, .return, tid: 1, g: 0x1234),
    ]
    for h in hits { s.consume(h) }
    XCTAssertEqual(s.statistics()[0].calls, 1)
    XCTAssertEqual(s.statistics()[0].wall?.selfNanos, 20)
    XCTAssertEqual(s.unmatchedReturns, 0)
  }

  func testDecoderReadsTheGoroutineFromTheSampledRegisters() {
    var decoder = TraceRecordDecoder()
    decoder.register(id: 5, function: 2, kind: .return)
    decoder.register(id: 6, function: 0, kind: .goroutineStart)
    var bytes: [UInt8] = []
    func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    // Sample: header, id, pid/tid, time, abi (2 = 64-bit), AX, R14.
    for (id, ax, r14) in [(UInt64(5), UInt64(0x1111), g1), (UInt64(6), g2, UInt64(0x9999))] {
      append(UInt32(9))
      append(UInt16(0))
      append(UInt16(56))
      append(id)
      append(UInt32(10))
      append(UInt32(11))
      append(UInt64(1234))
      append(UInt64(2))
      append(ax)
      append(r14)
    }
    var hits: [TraceHit] = []
    XCTAssertEqual(bytes.withUnsafeBytes { decoder.decode($0, into: &hits) }, 112)
    XCTAssertEqual(
      hits,
      [
        TraceHit(time: 1234, tid: 11, function: 2, kind: .return, goroutine: g1),
        TraceHit(time: 1234, tid: 11, function: 0, kind: .goroutineStart, goroutine: g2),
      ])
  }
}

import Capture
import ProfileModel
import XCTest

/// The shadow stacks' optional log of single calls (what `export chrome` writes).
final class CallLogUnitTests: XCTestCase {
  private func hit(_ t: UInt64, _ tid: UInt32, _ f: UInt32, ret: Bool) -> TraceHit {
    TraceHit(time: t, tid: tid, function: f, isReturn: ret)
  }

  func testCompletedCallsAreLoggedWithWallAndCPUTimes() {
    var s = ShadowStacks(probesReturns: [true, true])
    s.callLog = CallEventLog(capacity: 10)
    let hits = [
      hit(100, 7, 0, ret: false), hit(110, 7, 1, ret: false),
      TraceHit(time: 120, tid: 7, kind: .switchOut), TraceHit(time: 150, tid: 7, kind: .switchIn),
      hit(170, 7, 1, ret: true), hit(300, 7, 0, ret: true),
      hit(400, 8, 1, ret: false),  // never returns: not a completed call
    ]
    for h in hits { s.consume(h) }
    XCTAssertEqual(
      s.callLog?.events,
      [
        CallEvent(function: FunctionID(1), thread: 7, startNanos: 110, wallNanos: 60, cpuNanos: 30),
        CallEvent(function: FunctionID(0), thread: 7, startNanos: 100, wallNanos: 200, cpuNanos: 170),
      ])
    XCTAssertEqual(s.callLog?.dropped, 0)
  }

  func testTheLogKeepsTheFirstCallsAndCountsTheRest() {
    var s = ShadowStacks(probesReturns: [true])
    s.callLog = CallEventLog(capacity: 3)
    for i in 0..<10 as Range<UInt64> {
      s.consume(hit(i * 10, 1, 0, ret: false))
      s.consume(hit(i * 10 + 5, 1, 0, ret: true))
    }
    XCTAssertEqual(s.callLog?.events.map(\.startNanos), [0, 10, 20])
    XCTAssertEqual(s.callLog?.dropped, 7)
    XCTAssertEqual(s.callLog?.totalCalls, 10)
    XCTAssertEqual(s.statistics().first?.calls, 10, "the statistics count every call")
  }

  func testOneKeptCallCosts56Bytes() {
    // What docs/formats.md and CallEventLog promise: 2^20 calls in at most 56 MiB.
    XCTAssertEqual(MemoryLayout<CallEvent>.stride, 56)
  }

  func testProcessIsFilledInWhereUnknown() {
    let log = CallEventLog(events: [
      CallEvent(function: FunctionID(0), thread: 1, startNanos: 0, wallNanos: 1),
      CallEvent(function: FunctionID(0), thread: 2, process: 9, startNanos: 0, wallNanos: 1),
    ])
    XCTAssertEqual(log.withProcess(4242).events.map(\.process), [4242, 9])
    XCTAssertEqual(log.withProcess(0), log)
  }

  func testWithoutALogNothingIsKept() {
    var s = ShadowStacks(probesReturns: [true])
    s.consume(hit(0, 1, 0, ret: false))
    s.consume(hit(5, 1, 0, ret: true))
    XCTAssertNil(s.callLog)
  }

  func testMappedLogNamesProfileFunctions() {
    let log = CallEventLog(
      events: [
        CallEvent(function: FunctionID(0), thread: 1, startNanos: 0, wallNanos: 1),
        CallEvent(function: FunctionID(1), thread: 1, startNanos: 2, wallNanos: 1),
        CallEvent(function: FunctionID(5), thread: 1, startNanos: 4, wallNanos: 1),
      ], capacity: 2)
    XCTAssertEqual(log.events.count, 2)
    XCTAssertEqual(log.dropped, 1)
    let mapped = log.mapped([FunctionID(7), FunctionID(3)])
    XCTAssertEqual(mapped.events.map(\.function), [FunctionID(7), FunctionID(3)])
    XCTAssertEqual(mapped.dropped, 1)
    XCTAssertEqual(log.mapped([FunctionID(7)]).dropped, 2, "an index with no function counts as dropped")
  }
}

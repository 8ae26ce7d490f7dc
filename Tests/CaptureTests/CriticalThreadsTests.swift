import ProfileModel
import XCTest

@testable import Capture

/// The critical-thread rule of `run --off-cpu`: another thread's off-CPU time counts only while a
/// counted thread was blocked waiting for it (it ended that wait by waking it).
final class CriticalThreadsTests: XCTestCase {
  private typealias I = CriticalThreads.Interval
  private typealias W = CriticalThreads.Wakeup

  /// Main (1) waits [100, 200], woken by T (2). T waits [50, 150] (woken by U (3)) and [160, 300]
  /// (woken by nobody it waited for); U waits [0, 400]; V (4) waits [0, 400] and is woken by main.
  private let intervals = [
    I(tid: 1, start: 100, end: 200, row: 0, runnable: false),
    I(tid: 2, start: 50, end: 150, row: 1, runnable: false),
    I(tid: 2, start: 160, end: 300, row: 2, runnable: false),
    I(tid: 3, start: 0, end: 400, row: 3, runnable: false),
    I(tid: 4, start: 0, end: 400, row: 4, runnable: false),
  ]
  private let wakeups = [
    W(time: 199, waker: 2, wakee: 1),
    W(time: 149, waker: 3, wakee: 2),
    W(time: 390, waker: 1, wakee: 4),
    W(time: 10, waker: 3, wakee: 1),  // before main's wait: ends nothing
  ]

  func testOnlyTimeInsideWaitedForWindowsCounts() {
    let idle = CriticalThreads.idleParts(intervals: intervals, wakeups: wakeups, mainThread: 1)
    XCTAssertNil(idle[0], "the main thread's waits always count")
    XCTAssertEqual(idle[1], 50, "T's [50, 150]: only [100, 150] is inside main's wait")
    XCTAssertEqual(idle[2], 100, "T's [160, 300]: only [160, 200] is inside main's wait")
    XCTAssertEqual(idle[3], 350, "U ended T's wait: only [100, 150] of its [0, 400] counts")
    XCTAssertEqual(idle[4], 400, "V was woken by main, nobody waited for it")
  }

  func testWithoutWakeupsOnlyTheMainThreadCounts() {
    let idle = CriticalThreads.idleParts(intervals: intervals, wakeups: nil, mainThread: 1)
    XCTAssertEqual(idle, [1: 100, 2: 140, 3: 400, 4: 400])
  }

  func testRunnableWaitsHaveNoWakerAndOverlapsAreCountedOnce() {
    let v = [
      I(tid: 1, start: 0, end: 100, row: 0, runnable: false),
      I(tid: 1, start: 100, end: 200, row: 0, runnable: false),
      I(tid: 2, start: 0, end: 300, row: 1, runnable: false),
      I(tid: 3, start: 0, end: 300, row: 2, runnable: false),
      I(tid: 1, start: 250, end: 260, row: 0, runnable: true),
    ]
    let w = [W(time: 90, waker: 2, wakee: 1), W(time: 190, waker: 2, wakee: 1), W(time: 255, waker: 3, wakee: 1)]
    let idle = CriticalThreads.idleParts(intervals: v, wakeups: w, mainThread: 1)
    XCTAssertEqual(idle[1], 100, "two windows [0, 100] and [100, 200] cover 200 of T's 300")
    XCTAssertEqual(idle[2], 300, "a wakeup inside a runnable (preempted) stretch ends no wait")
    XCTAssertEqual(CriticalThreads.union([(5, 9), (0, 3), (2, 4), (9, 9)]).map { [$0.0, $0.1] }, [[0, 4], [5, 9]])
  }

  /// A sched_waking record as the kernel writes it (sample_type TID|TIME|RAW).
  private func wakingRecord(pid: Int32, tid: Int32, time: UInt64, wakee: Int32, flags: UInt8) -> [UInt8] {
    var raw = [UInt8](repeating: 0, count: 36)
    raw[2] = flags
    withUnsafeBytes(of: wakee.littleEndian) { raw.replaceSubrange(24..<28, with: $0) }
    var body: [UInt8] = []
    withUnsafeBytes(of: pid.littleEndian) { body += $0 }
    withUnsafeBytes(of: tid.littleEndian) { body += $0 }
    withUnsafeBytes(of: time.littleEndian) { body += $0 }
    withUnsafeBytes(of: UInt32(raw.count).littleEndian) { body += $0 }
    body += raw
    var header: [UInt8] = []
    withUnsafeBytes(of: PerfRecordType.sample.littleEndian) { header += $0 }
    withUnsafeBytes(of: UInt16(0).littleEndian) { header += $0 }
    withUnsafeBytes(of: UInt16(8 + body.count).littleEndian) { header += $0 }
    return header + body
  }

  func testWakingRecordsParseAndInterruptWakeupsAreSkipped() throws {
    let parser = PerfRecordParser(format: try SampleFormat(sampleType: .waking))
    var converter = ProfileConverter(frequency: 1000, offCPU: true)
    var cpu = RecordFixture()
    cpu.comm(pid: 10, tid: 10, name: "app", exec: true, time: 1)
    try withRecords(cpu.bytes) { for r in $0 { converter.consume(r) } }
    var sw = RecordFixture()
    let chain: [UInt64] = [PerfContext.user, 0x400100]
    for (tid, out, into) in [(Int32(10), UInt64(1_000), UInt64(2_000)), (11, 500, 3_000), (12, 500, 3_000)] {
      sw.sample(pid: 10, tid: tid, time: out, period: 1, chain: chain)
      sw.contextSwitch(pid: 10, tid: tid, out: true, time: out)
      sw.contextSwitch(pid: 10, tid: tid, out: false, time: into)
    }
    try withRecords(sw.bytes) { for r in $0 { converter.consume(switchEvent: r) } }
    // 11 wakes the main thread from its own context; 12's wakeup of it came from an interrupt.
    for record in [
      wakingRecord(pid: 10, tid: 11, time: 1_900, wakee: 10, flags: 0),
      wakingRecord(pid: 10, tid: 12, time: 1_950, wakee: 10, flags: 0x08 | 0x01),
    ] {
      let parsed = try record.withUnsafeBytes { try parser.parse($0) }
      guard case .sample(let s) = parsed else { return XCTFail("not a sample: \(parsed)") }
      XCTAssertEqual(s.raw?.count, 36)
      converter.consume(wakingEvent: parsed)
    }
    let p = converter.makeProfile(run: RunInfo())
    let off = try XCTUnwrap(p.sampleTypeIndex(named: "offcpu"))
    var byThread: [String: Int64] = [:]
    for row in 0..<p.samples.count {
      let labels = p.labelSets[p.samples.labelSets[row]]
      let tid = labels.first { p.string($0.key) == "tid" }?.number ?? -1
      let idle = labels.contains { p.string($0.key) == "critical" && p.string($0.string) == "no" }
      byThread["\(tid)\(idle ? " idle" : "")", default: 0] += p.samples.value(row, off)
    }
    // Main waited [1000, 2000] for 11: 11's time inside it counts, the rest and all of 12 is idle.
    XCTAssertEqual(byThread, ["10": 1_000, "11": 1_000, "11 idle": 1_500, "12 idle": 2_500, "12": 0])
    XCTAssertEqual(p.total(column: off), 6_000, "moving time between rows keeps the total")
    XCTAssertTrue(p.run.notes.contains { $0.contains("sched_waking") }, "\(p.run.notes)")
  }

  func testShortRawDataIsNotAWakeup() {
    let short = [UInt8](repeating: 0, count: 27)
    XCTAssertNil(short.withUnsafeBytes { WakingFields(raw: $0) })
  }
}

/// The drain thread's priority boost of off-CPU capture is undone, also when a capture fails.
final class PriorityBoostTests: XCTestCase {
  private func nice() -> Int32 { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }

  func testTheBoostIsUndoneByEndAndByDeinit() throws {
    guard getuid() == 0 else { throw XCTSkip("lowering the nice value needs root") }
    let before = nice()
    let boost = PriorityBoost(nice: -10)
    XCTAssertEqual(nice(), -10)
    boost.end()
    XCTAssertEqual(nice(), before)
    do { _ = PriorityBoost(nice: -5) }
    XCTAssertEqual(nice(), before, "a boost dropped without end (a failed capture) is undone too")
  }
}

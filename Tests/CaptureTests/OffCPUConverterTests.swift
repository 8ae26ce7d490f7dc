import Capture
import ProfileModel
import XCTest

/// The off-CPU half of the converter: switch-out samples plus SWITCH records become offcpu and
/// wall nanoseconds on the stack where the thread left the CPU.
final class OffCPUConverterTests: XCTestCase {
  private let chain: [UInt64] = [PerfContext.kernel, 0xffff_ffff_8100_0100, PerfContext.user, 0x400100, 0x400200]

  /// Feeds `cpu` records as CPU-ring records and `switches` as switch-ring records.
  private func convert(cpu: RecordFixture, switches: RecordFixture) throws -> Profile {
    var converter = ProfileConverter(frequency: 1000, offCPU: true)
    try withRecords(cpu.bytes) { for r in $0 { converter.consume(r) } }
    try withRecords(switches.bytes) { for r in $0 { converter.consume(switchEvent: r) } }
    return converter.makeProfile(run: RunInfo())
  }

  func testSwitchOutToSwitchInIsOffCPUTimeOnTheBlockingStack() throws {
    var cpu = RecordFixture()
    cpu.comm(pid: 10, tid: 10, name: "app", exec: true, time: 1)
    cpu.mmap2(pid: 10, start: 0x400000, length: 0x1000, pgoff: 0, filename: "/bin/app", time: 2)
    cpu.sample(pid: 10, tid: 10, time: 100, period: 1_000_000, chain: chain)
    var sw = RecordFixture()
    sw.sample(pid: 10, tid: 10, time: 1_000, period: 1, chain: chain)
    sw.contextSwitch(pid: 10, tid: 10, out: true, time: 1_000)
    sw.contextSwitch(pid: 10, tid: 10, out: false, time: 5_000)  // blocked 4 µs
    sw.sample(pid: 10, tid: 10, time: 6_000, period: 1, chain: chain)
    sw.contextSwitch(pid: 10, tid: 10, out: true, preempted: true, time: 6_000)
    sw.contextSwitch(pid: 10, tid: 10, out: false, time: 6_500)  // runnable 0.5 µs
    sw.sample(pid: 10, tid: 10, time: 9_000, period: 1, chain: chain)  // never runs again
    let p = try convert(cpu: cpu, switches: sw)

    XCTAssertEqual(p.sampleTypes.map(\.type), ["samples", "cpu", "offcpu", "wall"])
    XCTAssertEqual(p.defaultValueIndex, 1, "cpu stays the default column")
    let off = try XCTUnwrap(p.sampleTypeIndex(named: "offcpu"))
    let wall = try XCTUnwrap(p.sampleTypeIndex(named: "wall"))
    XCTAssertEqual(p.samples.count, 2, "blocked and runnable time of one stack are two rows")
    XCTAssertEqual(p.samples.value(0, 1), 1_000_000)
    XCTAssertEqual(p.samples.value(0, off), 4_000)
    XCTAssertEqual(p.samples.value(0, wall), 1_004_000)
    XCTAssertEqual(p.samples.stacks[0], p.samples.stacks[1])
    XCTAssertEqual(p.samples.value(1, off), 500)
    XCTAssertEqual(p.samples.value(1, 0), 0, "off-CPU rows add no CPU samples")
    let state = p.labelSets[p.samples.labelSets[1]].first { p.string($0.key) == "state" }
    XCTAssertEqual(state.map { p.string($0.string) }, "runnable")
    let summary = try XCTUnwrap(p.run.offCPU)
    XCTAssertEqual(summary.switches, 3)
    XCTAssertEqual(summary.offCPUNanos, 4_500)
    XCTAssertEqual(summary.runnableNanos, 500)
    XCTAssertEqual(summary.unfinished, 1)
    XCTAssertEqual(summary.mainThread, 10)
  }

  func testSwitchRecordsParse() throws {
    var f = RecordFixture()
    f.contextSwitch(pid: 3, tid: 4, out: true, preempted: true, time: 77)
    f.contextSwitch(pid: 3, tid: 4, out: false, time: 88)
    try withRecords(f.bytes) { records in
      guard case .contextSwitch(let out) = records[0], case .contextSwitch(let into) = records[1] else {
        return XCTFail("not switch records: \(records)")
      }
      XCTAssertTrue(out.isOut)
      XCTAssertTrue(out.isPreempted)
      XCTAssertEqual(out.sampleID, SampleID(pid: 3, tid: 4, time: 77, cpu: RecordFixture.cpu))
      XCTAssertFalse(into.isOut)
      XCTAssertFalse(into.isPreempted)
      XCTAssertEqual(into.sampleID.time, 88)
    }
  }

  func testWithoutOffCPUTheConverterKeepsTwoColumns() {
    let p = ProfileConverter(frequency: 1000).makeProfile(run: RunInfo())
    XCTAssertEqual(p.sampleTypes.map(\.type), ["samples", "cpu"])
    XCTAssertNil(p.run.offCPU)
  }
}

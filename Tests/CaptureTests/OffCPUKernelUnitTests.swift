import ProfileModel
import XCTest

@testable import Capture

/// The BPF path of `run --off-cpu` without the kernel: tracefs field offsets, the choice of
/// path, and kernel aggregates turned into the same rows the record path makes.
final class OffCPUKernelUnitTests: XCTestCase {
  // sched_process_fork as Linux 6.18 lays it out (comms moved to __data_loc) and as 5.x/6.1 did.
  private let fork618 = """
    name: sched_process_fork
    ID: 311
    format:
    \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
    \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
    \tfield:__data_loc char[] parent_comm;\toffset:8;\tsize:4;\tsigned:0;
    \tfield:pid_t parent_pid;\toffset:12;\tsize:4;\tsigned:1;
    \tfield:__data_loc char[] child_comm;\toffset:16;\tsize:4;\tsigned:0;
    \tfield:pid_t child_pid;\toffset:20;\tsize:4;\tsigned:1;

    print fmt: "comm=%s pid=%d child_comm=%s child_pid=%d", __get_str(parent_comm), REC->parent_pid
    """
  private let fork61 = """
    format:
    \tfield:char parent_comm[16];\toffset:8;\tsize:16;\tsigned:0;
    \tfield:pid_t parent_pid;\toffset:24;\tsize:4;\tsigned:1;
    \tfield:char child_comm[16];\toffset:28;\tsize:16;\tsigned:0;
    \tfield:pid_t child_pid;\toffset:44;\tsize:4;\tsigned:1;
    """

  func testNotesSayWhenKernelStacksKeepTheBPFGlue() {
    var counts = BPFOffCPU.Counts()
    counts.switches = 10
    let choice = OffCPUChoice(fallback: "test")
    XCTAssertFalse(choice.notes(counts).contains { $0.contains("__schedule was not among") })
    counts.glueMissing = true
    XCTAssertTrue(choice.notes(counts).contains { $0.contains("__schedule was not among") })
  }

  func testTracepointFieldOffsetsFollowTheKernelsFormat() {
    let new = TracepointFields(format: fork618)
    XCTAssertEqual(new.fields["child_pid"], .init(offset: 20, size: 4))
    XCTAssertEqual(new.fields["parent_comm"], .init(offset: 8, size: 4))
    XCTAssertEqual(new.fields["common_flags"], .init(offset: 2, size: 1))
    let old = TracepointFields(format: fork61)
    XCTAssertEqual(old.fields["child_pid"], .init(offset: 44, size: 4))
    XCTAssertEqual(old.fields["child_comm"], .init(offset: 28, size: 16), "array suffix dropped from the name")
    XCTAssertEqual(TracepointFields(format: "field:int x;\toffset:-4;\tsize:4;\nfield:;offset:1;size:1;").fields, [:])
  }

  func testChoiceTakesBPFWheneverItLoadsWithTheRecordPathsKindOfStacks() {
    let fp = OffCPUChoice(requested: nil, recordStackBytes: 0, bpf: .available)
    XCTAssertEqual(fp.method, .bpf)
    XCTAssertTrue(fp.note.contains("frame-pointer walks"), fp.note)
    let copies = OffCPUChoice(requested: nil, recordStackBytes: 2048, bpf: .available)
    XCTAssertEqual(copies.method, .bpf)
    XCTAssertTrue(
      copies.note.contains("lacks frame pointers") && copies.note.contains("copies its user stack"), copies.note)
    XCTAssertEqual(OffCPUChoice(requested: .bpf, recordStackBytes: 2048, bpf: .available).method, .bpf)
    XCTAssertEqual(OffCPUChoice(requested: .records, recordStackBytes: 0, bpf: .available).method, .records)
    let off = OffCPUChoice(
      requested: .bpf, recordStackBytes: 0, bpf: .unavailable(reason: "turned off by PERFSH_BPF=off"))
    XCTAssertEqual(off.method, .records)
    XCTAssertEqual(
      off.note, "off-CPU capture: context-switch records: BPF is not available (turned off by PERFSH_BPF=off)")
  }

  func testCopySizeIsAPowerOfTwoWithinTheKernelsBuffer() {
    XCTAssertEqual(BPFOffCPU.copySize(0), 0)
    XCTAssertEqual(BPFOffCPU.copySize(255), 0)
    XCTAssertEqual(BPFOffCPU.copySize(256), 256)
    XCTAssertEqual(BPFOffCPU.copySize(3000), 2048)
    XCTAssertEqual(BPFOffCPU.copySize(1500), 1024)
    XCTAssertEqual(BPFOffCPU.copySize(65536), BPFOffCPU.maximumCopyBytes)
  }

  func testKernelAggregatesBecomeTheRecordPathsRows() throws {
    var converter = ProfileConverter(frequency: 1000, offCPU: true)
    var cpu = RecordFixture()
    cpu.comm(pid: 10, tid: 10, name: "app", exec: true, time: 1)
    cpu.mmap2(pid: 10, start: 0x400000, length: 0x1000, pgoff: 0, filename: "/bin/app", time: 2)
    cpu.sample(
      pid: 10, tid: 10, time: 100, period: 1_000_000,
      chain: [PerfContext.kernel, 0xffff_ffff_8100_0100, PerfContext.user, 0x400100, 0x400200])
    try withRecords(cpu.bytes) { for r in $0 { converter.consume(r) } }
    let kernel: [UInt64] = [0xffff_ffff_8100_0100]
    let user: [UInt64] = [0x400100, 0x400200]
    converter.consume(
      offCPUAggregates: [
        // The main thread: blocked 4 ms over 3 waits, one of them long and ended by thread 11.
        OffCPUAggregate(
          pid: 10, tid: 10, kernelStack: kernel, userStack: user, runnable: false, nanos: 4_000_000, waits: 3,
          intervals: [OffCPUWait(start: 1_000_000, end: 3_000_000, waker: 11)]),
        OffCPUAggregate(
          pid: 10, tid: 10, kernelStack: kernel, userStack: user, runnable: true, nanos: 500, waits: 1),
        // Thread 11: 5 ms parked, of which 1 ms inside the main thread's wait it ended.
        OffCPUAggregate(
          pid: 10, tid: 11, kernelStack: kernel, userStack: [0x400300], runnable: false, nanos: 5_000_000, waits: 1,
          intervals: [
            OffCPUWait(start: 0, end: 2_000_000, waker: nil), OffCPUWait(start: 2_000_000, end: 5_000_000, waker: nil),
          ]),
      ], unfinished: 2, lost: 1)
    let p = converter.makeProfile(run: RunInfo())
    let off = try XCTUnwrap(p.sampleTypeIndex(named: "offcpu"))
    let wall = try XCTUnwrap(p.sampleTypeIndex(named: "wall"))
    XCTAssertEqual(p.samples.value(0, 1), 1_000_000)
    XCTAssertEqual(p.samples.value(0, off), 4_000_000, "the CPU sample's stack and labels: one row")
    XCTAssertEqual(p.samples.value(0, wall), 5_000_000, "wall = cpu + offcpu")
    XCTAssertEqual(p.samples.value(1, off), 500)
    let state = p.labelSets[p.samples.labelSets[1]].first { p.string($0.key) == "state" }
    XCTAssertEqual(state.map { p.string($0.string) }, "runnable")
    // Thread 11: 1 ms of its waits lies inside the main thread's wait [1 ms, 3 ms] it ended: shown;
    // the other 4 ms are moved to a critical=no row.
    var shown: Int64 = 0
    var hidden: Int64 = 0
    for row in 0..<p.samples.count {
      let labels = p.labelSets[p.samples.labelSets[row]]
      guard labels.contains(where: { p.string($0.key) == "tid" && $0.number == 11 }) else { continue }
      if labels.contains(where: { p.string($0.key) == CriticalThreads.labelKey }) {
        hidden += p.samples.value(row, off)
      } else {
        shown += p.samples.value(row, off)
      }
    }
    XCTAssertEqual(shown, 2_000_000, "[1 ms, 2 ms] of the first wait and [2 ms, 3 ms] of the second")
    XCTAssertEqual(hidden, 3_000_000)
    let summary = try XCTUnwrap(p.run.offCPU)
    XCTAssertEqual(summary.switches, 5)
    XCTAssertEqual(summary.offCPUNanos, 9_000_500)
    XCTAssertEqual(summary.runnableNanos, 500)
    XCTAssertEqual(summary.unfinished, 2)
    XCTAssertEqual(summary.lostRecords, 1)
    XCTAssertEqual(summary.mainThread, 10)
  }
}

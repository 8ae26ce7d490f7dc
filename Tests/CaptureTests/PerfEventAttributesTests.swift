import CPerfEvent
import Glibc
import XCTest

@testable import Capture

/// The one attribute builder: every kind of event keeps the fields it was opened with before
/// the builder existed (checked field by field, since the kernel sees nothing else).
final class PerfEventAttributesTests: XCTestCase {
  /// What every event shares: inherited, waiting for exec, CLOCK_MONOTONIC, a wake-up watermark.
  private func assertShared(_ a: perf_event_attr, wakeup: UInt32, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.size, UInt32(MemoryLayout<perf_event_attr>.size), file: file, line: line)
    XCTAssertEqual(
      [a.disabled, a.inherit, a.enable_on_exec, a.use_clockid, a.watermark], [1, 1, 1, 1, 1], file: file, line: line)
    XCTAssertEqual(a.clockid, Int32(CLOCK_MONOTONIC), file: file, line: line)
    XCTAssertEqual(a.wakeup_watermark, wakeup, file: file, line: line)
  }

  func testCPUClockWithStackCopies() {
    let a = PerfEventFile.cpuClockAttributes(
      frequency: 499, excludeKernel: false, wakeupBytes: 8192, buildIDs: false, userStackBytes: 4096)
    assertShared(a, wakeup: 8192)
    XCTAssertEqual(a.type, UInt32(PERF_TYPE_SOFTWARE.rawValue))
    XCTAssertEqual(a.config, UInt64(PERF_COUNT_SW_CPU_CLOCK.rawValue))
    XCTAssertEqual([a.freq, a.sample_id_all, a.exclude_hv, a.mmap, a.comm_exec], [1, 1, 1, 1, 1])
    XCTAssertEqual(a.sample_freq, 499)
    XCTAssertEqual(a.build_id, 0)
    XCTAssertEqual(a.sample_type, SampleType.cpuSampling.rawValue | SampleType([.regsUser, .stackUser]).rawValue)
    XCTAssertEqual(a.sample_stack_user, 4096)
    XCTAssertEqual(a.sample_regs_user, CallGraph.x86UserRegisterMask)
    XCTAssertEqual([a.exclude_callchain_user, a.exclude_kernel], [1, 0])
  }

  func testContextSwitchAndWaking() {
    let s = PerfEventFile.contextSwitchAttributes(excludeKernel: true, wakeupBytes: 100)
    assertShared(s, wakeup: 100)
    XCTAssertEqual(s.config, UInt64(PERF_COUNT_SW_CONTEXT_SWITCHES.rawValue))
    XCTAssertEqual(s.sample_period, 1)
    XCTAssertEqual([s.freq, s.context_switch, s.sample_id_all, s.exclude_hv, s.mmap], [0, 1, 1, 1, 0])
    XCTAssertEqual([s.exclude_kernel, s.exclude_callchain_kernel], [1, 1])
    let w = PerfEventFile.wakingAttributes(tracepointID: 321, wakeupBytes: 0)
    assertShared(w, wakeup: 1)
    XCTAssertEqual(w.type, UInt32(PERF_TYPE_TRACEPOINT.rawValue))
    XCTAssertEqual(w.config, 321)
    XCTAssertEqual(w.sample_type, SampleType.waking.rawValue)
    XCTAssertEqual([w.sample_id_all, w.exclude_hv, w.context_switch], [1, 1, 0])
  }

  func testTraceEvents() {
    let t = PerfEventFile.uprobeTracepointAttributes(id: 77, wakeupBytes: 4096)
    assertShared(t, wakeup: 4096)
    XCTAssertEqual(t.type, UInt32(PERF_TYPE_TRACEPOINT.rawValue))
    XCTAssertEqual([t.config, t.sample_period, t.sample_type], [77, 1, TraceRecordDecoder.sampleType])
    XCTAssertEqual([t.sample_id_all, t.exclude_hv, t.context_switch], [0, 0, 0])
    let g = PerfEventFile.withGoRegisters(t)
    XCTAssertEqual(g.sample_type, TraceRecordDecoder.sampleType | SampleType.regsUser.rawValue)
    XCTAssertEqual(g.sample_regs_user, TraceRecordDecoder.goRegisterMask)
    var owner = PerfEventFile.traceSwitchAttributes(wakeupBytes: 4096)
    assertShared(owner, wakeup: 4096)
    XCTAssertEqual(owner.config, UInt64(PERF_COUNT_SW_DUMMY.rawValue))
    XCTAssertEqual([owner.sample_period, owner.sample_type], [0, TraceRecordDecoder.sampleType])
    XCTAssertEqual([owner.context_switch, owner.sample_id_all], [1, 1])
    owner.startImmediately()
    XCTAssertEqual([owner.disabled, owner.enable_on_exec, owner.inherit], [0, 0, 1])
    let pmu = UprobePMU(type: 9, retprobeBit: 0)
    let probe = "/bin/true".withCString {
      pmu.attributes(pathPointer: $0, offset: 0x40, isReturn: true, wakeupBytes: 64)
    }
    XCTAssertEqual(probe.type, 9)
    XCTAssertEqual([probe.inherit, probe.disabled, probe.enable_on_exec], [0, 1, 1])
    XCTAssertEqual([probe.config, probe.config2, probe.sample_period], [1, 0x40, 1])
  }
}

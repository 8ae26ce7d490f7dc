import CPerfEvent
import Glibc

/// The one builder of every perf_event_attr perfsh opens: what all events share (inherited,
/// disabled until the target's exec, CLOCK_MONOTONIC timestamps, a ring wake-up watermark),
/// then one small method per kind of event (cpu-clock samples, context switches, sched_waking,
/// uprobe hits and the trace ring's switch owner).
enum PerfEventAttributes {
  /// The fields every event shares: `type`/`config` select the event, `sampleType` what each
  /// sample carries, `period` its sample period (0 for side-band only), and the ring wakes the
  /// drain loop once `wakeupBytes` are in it.
  static func base(type: UInt32, config: UInt64, sampleType: UInt64, period: UInt64, wakeupBytes: Int)
    -> perf_event_attr
  {
    var attr = perf_event_attr()
    attr.type = type
    attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
    attr.config = config
    attr.sample_period = period
    attr.sample_type = sampleType
    attr.disabled = 1
    attr.inherit = 1
    attr.enable_on_exec = 1
    attr.use_clockid = 1
    attr.clockid = Int32(CLOCK_MONOTONIC)
    attr.watermark = 1
    attr.wakeup_watermark = UInt32(max(1, wakeupBytes))
    return attr
  }

  /// A software event (`PERF_COUNT_SW_*`) with `sample_id_all` and no hypervisor samples, as
  /// the sampler's and off-CPU events are opened.
  static func software(_ counter: perf_sw_ids, sampleType: SampleType, period: UInt64, wakeupBytes: Int)
    -> perf_event_attr
  {
    var attr = base(
      type: UInt32(PERF_TYPE_SOFTWARE.rawValue), config: UInt64(counter.rawValue), sampleType: sampleType.rawValue,
      period: period, wakeupBytes: wakeupBytes)
    attr.sample_id_all = 1
    attr.exclude_hv = 1
    return attr
  }

  /// Kernel frames or not, and user-stack copies for DWARF unwinding (registers and a stack
  /// copy replace the user part of the call chain): what every sampling event shares.
  static func applyStacks(to attr: inout perf_event_attr, excludeKernel: Bool, userStackBytes: Int) {
    if excludeKernel {
      attr.exclude_kernel = 1
      attr.exclude_callchain_kernel = 1
    }
    if userStackBytes > 0 {
      attr.sample_type |= SampleType([.regsUser, .stackUser]).rawValue
      attr.sample_regs_user = CallGraph.x86UserRegisterMask
      attr.sample_stack_user = UInt32(userStackBytes)
      attr.exclude_callchain_user = 1
    }
  }

  /// A trace event (uprobe hit): a sample per hit with the event id, pid/tid and time.
  /// Turns the side-band records a sampler's symbolization needs on or off together: mmap and
  /// mmap2 (with build ids instead of device and inode numbers, Linux 5.12+), comm (and at exec),
  /// and fork/exit task records.
  static func applySideBand(to attr: inout perf_event_attr, on: Bool, buildIDs: Bool) {
    let bit: UInt64 = on ? 1 : 0
    attr.mmap = bit
    attr.mmap2 = bit
    attr.comm = bit
    attr.comm_exec = bit
    attr.task = bit
    attr.build_id = on && buildIDs ? 1 : 0
  }

  static func trace(type: UInt32, config: UInt64, wakeupBytes: Int) -> perf_event_attr {
    base(type: type, config: config, sampleType: TraceRecordDecoder.sampleType, period: 1, wakeupBytes: wakeupBytes)
  }
}

/// perf_event_attr under a Swift name: files that only pass attributes along need not import
/// the C module (see scripts/check-layers).
typealias PerfEventAttr = perf_event_attr

extension perf_event_attr {
  /// Counts from the moment the event is opened (attach, calibration) instead of at the
  /// target's exec.
  mutating func startImmediately() {
    disabled = 0
    enable_on_exec = 0
  }
}

extension PerfEventFile {
  /// The perf_event_attr of the sampler: cpu-clock in frequency mode with call chains,
  /// side-band records, inherited, enabled at exec, CLOCK_MONOTONIC timestamps.
  public static func cpuClockAttributes(
    frequency: Int, excludeKernel: Bool, wakeupBytes: Int, buildIDs: Bool = true, userStackBytes: Int = 0
  ) -> perf_event_attr {
    var attr = PerfEventAttributes.software(
      PERF_COUNT_SW_CPU_CLOCK, sampleType: .cpuSampling, period: 0, wakeupBytes: wakeupBytes)
    attr.sample_freq = UInt64(max(1, frequency))  // shares its storage with sample_period
    attr.freq = 1
    PerfEventAttributes.applySideBand(to: &attr, on: true, buildIDs: buildIDs)
    PerfEventAttributes.applyStacks(to: &attr, excludeKernel: excludeKernel, userStackBytes: userStackBytes)
    return attr
  }

  /// The per-CPU sampler's event (`--sampler cpu`): the sampler's attributes for one CPU and
  /// every task (pid -1): not inherited (nothing to inherit), opened disabled and enabled by hand
  /// once its BPF filter is attached (enable_on_exec means nothing without a task), idle ticks
  /// never sampled. With `sideBand` it also writes every task's mmap, comm and task records
  /// (perfsh keeps the target's); without, a per-task `sideBandAttributes` event carries them.
  public static func perCPUClockAttributes(
    frequency: Int, excludeKernel: Bool, wakeupBytes: Int, sideBand: Bool, buildIDs: Bool, userStackBytes: Int = 0
  ) -> perf_event_attr {
    var attr = cpuClockAttributes(
      frequency: frequency, excludeKernel: excludeKernel, wakeupBytes: wakeupBytes, buildIDs: buildIDs && sideBand,
      userStackBytes: userStackBytes)
    attr.inherit = 0
    attr.enable_on_exec = 0
    attr.exclude_idle = 1
    if !sideBand { PerfEventAttributes.applySideBand(to: &attr, on: false, buildIDs: false) }
    return attr
  }

  /// The per-CPU sampler's side-band event on the target: a `dummy` software event (no timer, no
  /// samples) with the sampler's mmap, comm and task records (same trailer layout, so it shares
  /// the CPU's ring), inherited and enabled at exec like the per-task sampler.
  public static func sideBandAttributes(sampler: perf_event_attr, buildIDs: Bool) -> perf_event_attr {
    var attr = PerfEventAttributes.software(
      PERF_COUNT_SW_DUMMY, sampleType: SampleType(rawValue: sampler.sample_type), period: 0,
      wakeupBytes: Int(sampler.wakeup_watermark))
    attr.exclude_kernel = sampler.exclude_kernel
    PerfEventAttributes.applySideBand(to: &attr, on: true, buildIDs: buildIDs)
    return attr
  }

  /// The perf_event_attr of off-CPU capture: `context-switches` with period 1 and call chains,
  /// PERF_RECORD_SWITCH records, inherited, enabled at exec, CLOCK_MONOTONIC timestamps.
  ///
  /// The sample is taken in the scheduler, so with `excludeKernel` the kernel drops it: off-CPU
  /// stacks need kernel access (root, CAP_PERFMON or perf_event_paranoid ≤ 1).
  public static func contextSwitchAttributes(excludeKernel: Bool, wakeupBytes: Int, userStackBytes: Int = 0)
    -> perf_event_attr
  {
    var attr = PerfEventAttributes.software(
      PERF_COUNT_SW_CONTEXT_SWITCHES, sampleType: .cpuSampling, period: 1, wakeupBytes: wakeupBytes)
    attr.context_switch = 1
    PerfEventAttributes.applyStacks(to: &attr, excludeKernel: excludeKernel, userStackBytes: userStackBytes)
    return attr
  }

  /// The perf_event_attr of the `sched:sched_waking` tracepoint `tracepointID` for off-CPU
  /// capture: every wakeup a traced task performs (pid and tid of the waker, time, the raw
  /// fields naming the wakee), no call chain, inherited, enabled at exec, CLOCK_MONOTONIC.
  public static func wakingAttributes(tracepointID: UInt64, wakeupBytes: Int) -> perf_event_attr {
    var attr = PerfEventAttributes.base(
      type: UInt32(PERF_TYPE_TRACEPOINT.rawValue), config: tracepointID, sampleType: SampleType.waking.rawValue,
      period: 1, wakeupBytes: wakeupBytes)
    attr.sample_id_all = 1
    attr.exclude_hv = 1
    return attr
  }

  /// The attributes of a tracefs-defined uprobe event with tracepoint `id`.
  static func uprobeTracepointAttributes(id: UInt64, wakeupBytes: Int) -> perf_event_attr {
    PerfEventAttributes.trace(type: UInt32(PERF_TYPE_TRACEPOINT.rawValue), config: id, wakeupBytes: wakeupBytes)
  }

  /// The trace ring owner of a CPU: a dummy software event that writes a PERF_RECORD_SWITCH
  /// each time a traced thread leaves or gets a CPU, with tid and time (sample_id_all).
  static func traceSwitchAttributes(wakeupBytes: Int) -> perf_event_attr {
    var attr = PerfEventAttributes.trace(
      type: UInt32(PERF_TYPE_SOFTWARE.rawValue), config: UInt64(PERF_COUNT_SW_DUMMY.rawValue), wakeupBytes: wakeupBytes)
    attr.sample_period = 0
    attr.context_switch = 1
    attr.sample_id_all = 1
    return attr
  }

  /// `attr` also sampling the user registers AX and R14 at each hit (Go probes: the
  /// goroutine in R14, `runtime.execute`'s goroutine argument in AX).
  static func withGoRegisters(_ attr: perf_event_attr) -> perf_event_attr {
    var a = attr
    a.sample_type |= SampleType.regsUser.rawValue
    a.sample_regs_user = TraceRecordDecoder.goRegisterMask
    return a
  }
}

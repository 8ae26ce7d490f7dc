import CPerfEvent
import Glibc
import SystemPackage

/// An open perf event (the file descriptor perf_event_open returns); closed on deinit.
public struct PerfEventFile: ~Copyable {
  /// The raw descriptor, for poll(2) and mmap(2); owned by this value.
  public let descriptor: Int32

  /// The CPU the event counts on (-1 for any), kept for messages.
  public let cpu: Int32

  /// Opens an event with perf_event_open(2).
  ///
  /// EACCES and EPERM become `.permissionDenied` with the current paranoid level.
  public static func open(
    attributes: perf_event_attr, pid: Int32, cpu: Int32, groupDescriptor: Int32 = -1,
    flags: UInt = UInt(PERF_FLAG_FD_CLOEXEC)
  ) throws(CaptureError) -> PerfEventFile {
    var attr = attributes
    let fd = perfsh_perf_event_open(&attr, pid, cpu, groupDescriptor, flags)
    guard fd >= 0 else {
      let err = SystemCall.lastError
      if err == .permissionDenied || err == .notPermitted {
        throw .permissionDenied(paranoid: SystemInfo.perfEventParanoid(), errno: err)
      }
      throw .perfEventOpen(pid: pid, cpu: cpu, errno: err)
    }
    return PerfEventFile(descriptor: fd, cpu: cpu)
  }

  private init(descriptor: Int32, cpu: Int32) {
    self.descriptor = descriptor
    self.cpu = cpu
  }

  /// PERF_EVENT_IOC_ENABLE: starts counting.
  public func enable() throws(CaptureError) {
    try SystemCall.zeroOrErrno(perfsh_perf_event_enable(descriptor)) { .ioctl(request: "enable", errno: $0) }
  }

  /// PERF_EVENT_IOC_DISABLE: stops counting; records already written stay in the ring.
  public func disable() throws(CaptureError) {
    try SystemCall.zeroOrErrno(perfsh_perf_event_disable(descriptor)) { .ioctl(request: "disable", errno: $0) }
  }

  /// PERF_EVENT_IOC_SET_OUTPUT: sends this event's records into `target`'s ring buffer.
  public func setOutput(to target: borrowing PerfEventFile) throws(CaptureError) {
    try SystemCall.zeroOrErrno(perfsh_perf_event_set_output(descriptor, target.descriptor)) {
      .ioctl(request: "set-output", errno: $0)
    }
  }

  /// The kernel's id of this event, which PERF_SAMPLE_IDENTIFIER puts in each record.
  /// The corresponding C call is `ioctl(fd, PERF_EVENT_IOC_ID, &id)`.
  public func eventID() throws(CaptureError) -> UInt64 {
    var id: UInt64 = 0
    try SystemCall.zeroOrErrno(perfsh_perf_event_id(descriptor, &id)) {
      .ioctl(request: "PERF_EVENT_IOC_ID", errno: $0)
    }
    return id
  }

  /// The event's count (read_format 0): for an inherited event, its own hits plus those of
  /// every exited child task; nil when the read fails.
  public func count() -> UInt64? {
    var value: UInt64 = 0
    let n = withUnsafeMutableBytes(of: &value) { Glibc.read(descriptor, $0.baseAddress, 8) }
    return n == 8 ? value : nil
  }

  deinit { Glibc.close(descriptor) }
}

extension PerfEventFile {
  /// The perf_event_attr of the sampler: cpu-clock in frequency mode with call chains,
  /// side-band records, inherited, enabled at exec, CLOCK_MONOTONIC timestamps.
  public static func cpuClockAttributes(
    frequency: Int, excludeKernel: Bool, wakeupBytes: Int, buildIDs: Bool = true, userStackBytes: Int = 0
  ) -> perf_event_attr {
    var attr = perf_event_attr()
    attr.type = UInt32(PERF_TYPE_SOFTWARE.rawValue)
    attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
    attr.config = UInt64(PERF_COUNT_SW_CPU_CLOCK.rawValue)
    attr.sample_freq = UInt64(max(1, frequency))
    attr.freq = 1
    attr.sample_type = SampleType.cpuSampling.rawValue
    attr.disabled = 1
    attr.inherit = 1
    attr.enable_on_exec = 1
    attr.mmap = 1
    attr.mmap2 = 1
    attr.comm = 1
    attr.comm_exec = 1
    attr.task = 1
    attr.sample_id_all = 1
    attr.use_clockid = 1
    attr.clockid = Int32(CLOCK_MONOTONIC)
    attr.exclude_hv = 1
    // MMAP2 records with build ids (Linux 5.12+) instead of device and inode numbers.
    attr.build_id = buildIDs ? 1 : 0
    applyCommon(to: &attr, excludeKernel: excludeKernel, wakeupBytes: wakeupBytes, userStackBytes: userStackBytes)
    return attr
  }

  /// What every sampling event shares: kernel frames or not, user-stack copies for DWARF
  /// unwinding (registers and a stack copy replace the user part of the call chain), and a
  /// wakeup once `wakeupBytes` are in the ring.
  static func applyCommon(to attr: inout perf_event_attr, excludeKernel: Bool, wakeupBytes: Int, userStackBytes: Int) {
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
    attr.watermark = 1
    attr.wakeup_watermark = UInt32(max(1, wakeupBytes))
  }
}

extension PerfEventFile {
  /// The perf_event_attr of off-CPU capture: `context-switches` with period 1 and call chains,
  /// PERF_RECORD_SWITCH records, inherited, enabled at exec, CLOCK_MONOTONIC timestamps.
  ///
  /// The sample is taken in the scheduler, so with `excludeKernel` the kernel drops it: off-CPU
  /// stacks need kernel access (root, CAP_PERFMON or perf_event_paranoid ≤ 1).
  public static func contextSwitchAttributes(excludeKernel: Bool, wakeupBytes: Int, userStackBytes: Int = 0)
    -> perf_event_attr
  {
    var attr = perf_event_attr()
    attr.type = UInt32(PERF_TYPE_SOFTWARE.rawValue)
    attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
    attr.config = UInt64(PERF_COUNT_SW_CONTEXT_SWITCHES.rawValue)
    attr.sample_period = 1
    attr.sample_type = SampleType.cpuSampling.rawValue
    attr.disabled = 1
    attr.inherit = 1
    attr.enable_on_exec = 1
    attr.context_switch = 1
    attr.sample_id_all = 1
    attr.use_clockid = 1
    attr.clockid = Int32(CLOCK_MONOTONIC)
    attr.exclude_hv = 1
    applyCommon(to: &attr, excludeKernel: excludeKernel, wakeupBytes: wakeupBytes, userStackBytes: userStackBytes)
    return attr
  }
}

extension PerfEventFile {
  /// The perf_event_attr of the `sched:sched_waking` tracepoint `tracepointID` for off-CPU
  /// capture: every wakeup a traced task performs (pid and tid of the waker, time, the raw
  /// fields naming the wakee), no call chain, inherited, enabled at exec, CLOCK_MONOTONIC.
  public static func wakingAttributes(tracepointID: UInt64, wakeupBytes: Int) -> perf_event_attr {
    var attr = perf_event_attr()
    attr.type = UInt32(PERF_TYPE_TRACEPOINT.rawValue)
    attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
    attr.config = tracepointID
    attr.sample_period = 1
    attr.sample_type = SampleType.waking.rawValue
    attr.disabled = 1
    attr.inherit = 1
    attr.enable_on_exec = 1
    attr.sample_id_all = 1
    attr.use_clockid = 1
    attr.clockid = Int32(CLOCK_MONOTONIC)
    attr.exclude_hv = 1
    attr.watermark = 1
    attr.wakeup_watermark = UInt32(max(1, wakeupBytes))
    return attr
  }
}

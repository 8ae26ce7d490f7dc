import Glibc
import Syscalls

/// The off-CPU event source of `run --off-cpu`: per CPU, a software `context-switches` event
/// sampled at every switch-out (the stack where the thread left the CPU) that also writes
/// PERF_RECORD_SWITCH records (preemption on the way out, the time it runs again on the way in).
///
/// Inherited and enabled at exec like the CPU sampler's events; its records go through their
/// own merger (frame-pointer chains even when CPU samples carry stack copies).
struct ContextSwitchSource {
  /// Per CPU the switch event of the first pid, and those of further pids writing into its ring.
  private let events: PerCPURings
  private var merger: RecordMerger<PerfRecordParser>
  /// Switch records that did not parse (a loss, added to `RunInfo.unparsedRecords`).
  public var unparsedRecords: UInt64 { merger.unparsedRecords &+ wakingMerger.unparsedRecords }
  /// Per CPU, a `sched:sched_waking` event: who woke whom (for the critical-thread view); empty
  /// when the tracepoint cannot be opened (no tracefs access), which `wakeupsRecorded` tells.
  private let wakingEvents: PerCPURings
  private var wakingMerger: RecordMerger<PerfRecordParser>
  /// The capture thread's raised priority (root only).
  private let boost: PriorityBoost?
  /// Whether wakeups are recorded.
  var wakeupsRecorded: Bool { wakingEvents.count > 0 }

  /// Opens one event per CPU on `pid` with rings of `dataPages` pages; `stackBytes` > 0 copies
  /// that much user stack per switch for DWARF unwinding (libc's syscall wrappers keep no frame
  /// pointer, so frame-pointer chains taken in a syscall lose the wrapper's caller).
  /// With several `pids` (the threads of an attached process), each CPU's events share the
  /// first one's ring; `enableAtExec` false starts them at once.
  init(
    cpus: [Int32], pids: [Int32], dataPages: Int, excludeKernel: Bool, stackBytes: Int, enableAtExec: Bool = true,
    options: OffCPUOptions = OffCPUOptions()
  ) throws(CaptureError) {
    let dataBytes = dataPages * SystemInfo.pageSize
    var attr = PerfEventFile.contextSwitchAttributes(
      excludeKernel: excludeKernel, wakeupBytes: dataBytes / max(1, options.wakeupDivisor ?? 4),
      userStackBytes: stackBytes)
    if !enableAtExec { attr.startImmediately() }
    if !options.kernelStacks { attr.exclude_callchain_kernel = 1 }
    let events = PerCPURings()
    for cpu in cpus {
      guard let first = pids.first else { break }
      let r = try events.addOwner(PerfEventFile.open(attributes: attr, pid: first, cpu: cpu), dataPages: dataPages)
      try events.addThreads(pids.dropFirst(), attributes: attr, cpu: cpu, ring: r)
    }
    self.events = events
    merger = RecordMerger(
      rings: events.count, parser: PerfRecordParser(format: try CommandCapture.sampleFormat(stackBytes: stackBytes)))
    var wakingEvents = PerCPURings()
    if options.wakeups, let id = Self.wakingTracepointID() {
      var wattr = PerfEventFile.wakingAttributes(tracepointID: id, wakeupBytes: dataBytes / 4)
      if !enableAtExec { wattr.startImmediately() }
      do throws(CaptureError) {
        for cpu in cpus {
          guard let first = pids.first else { break }
          let r = try wakingEvents.addOwner(
            PerfEventFile.open(attributes: wattr, pid: first, cpu: cpu), dataPages: max(16, dataPages / 4))
          try wakingEvents.addThreads(pids.dropFirst(), attributes: wattr, cpu: cpu, ring: r)
        }
      } catch {
        wakingEvents = PerCPURings()  // the view falls back to the main thread's waits and says so
      }
    }
    self.wakingEvents = wakingEvents
    // The drain loop must keep up with ~2 records per switch: as root, it runs ahead of
    // ordinary work (nice -10 on this thread until `disable`, or until the source is gone).
    boost = SystemInfo.isRoot ? PriorityBoost(nice: -10) : nil
    wakingMerger = RecordMerger(
      rings: wakingEvents.count, parser: PerfRecordParser(format: try SampleFormat(sampleType: .waking)))
  }

  /// The stack copy per switch-out for the executable at `executablePath` (resolved once by the
  /// request): `wanted` bytes, or 0 (frame-pointer chains) when the unwinder prefers those
  /// off-CPU (Go).
  static func stackBytes(
    wanted: Int, executablePath: String?, unwinding: (any UserStackUnwinding)?
  ) -> Int {
    guard let unwinding, wanted > 0 else { return 0 }
    guard let path = executablePath else { return wanted }
    return unwinding.prefersFramePointersOffCPU(executable: path) ? 0 : wanted
  }

  /// Data pages per CPU ring for root (only root may lock big rings): a 64 MiB budget shared by
  /// the CPUs, at most 16 MiB per CPU with stack copies (2 KiB records: ~7,000 switches) and 4 MiB
  /// without, at least 1 MiB; measured: at ~200k switches/s a loaded 2-core machine delays the
  /// drain loop long enough to overflow 4 MiB rings of stack copies.
  static func rootRingPages(cpus: Int, stackCopies: Bool) -> Int {
    let budget = (64 << 20) / max(1, cpus) / SystemInfo.pageSize
    let pages = min(max(budget, 256), stackCopies ? 4096 : 1024)
    var p = 1
    while p * 2 <= pages { p *= 2 }
    return p
  }

  /// The id of `sched:sched_waking` from tracefs, when readable and laid out as `WakingFields`
  /// reads it (flags at byte 2, the wakee's pid at byte 24); nil otherwise.
  static func wakingTracepointID() -> UInt64? {
    _ = Tracefs.root()  // mounts it on a machine where nothing has yet
    for root in Tracefs.candidates {
      let dir = root + "/events/sched/sched_waking"
      guard let id = SystemInfo.readSmallFile(dir + "/id").flatMap({ UInt64($0.trimmingWhitespace()) }),
        let format = SystemInfo.readSmallFile(dir + "/format")
      else { continue }
      let expected = [
        "common_flags;\toffset:\(WakingFields.flagsOffset);", "pid;\toffset:\(WakingFields.pidOffset);\tsize:4;",
      ]
      return expected.allSatisfy(format.contains) ? id : nil
    }
    return nil
  }

  /// The descriptors to poll for ring wake-ups.
  var descriptors: [Int32] { events.descriptors + wakingEvents.descriptors }

  /// Bytes drained from each ring so far.
  var drainedBytes: [UInt64] { events.drainedBytes }

  /// Stops recording; records already written stay in the rings.
  func disable() {
    events.disable()
    wakingEvents.disable()
    boost?.end()
  }

  /// Copies new ring bytes and feeds every record up to `cutoff` (all with nil) to `converter`.
  mutating func drain(upTo cutoff: UInt64?, into converter: inout ProfileConverter) throws(CaptureError) {
    events.drain(into: &merger)
    merger.emit(upTo: cutoff ?? .max) { converter.consume(switchEvent: $0) }
    if wakeupsRecorded { converter.expectWakeups() }
    wakingEvents.drain(into: &wakingMerger)
    wakingMerger.emit(upTo: cutoff ?? .max) { converter.consume(wakingEvent: $0) }
  }
}

/// The knobs of off-CPU capture (`CaptureRequest.offCPUOptions`); nil keeps perfsh's choice.
public struct OffCPUOptions: Sendable, Equatable {
  /// Data pages per CPU ring of the switch events (a power of two).
  public var ringPages: Int?
  /// User stack bytes copied per switch-out (0: frame-pointer chains only).
  public var stackBytes: Int?
  /// Record `sched:sched_waking` for the critical-thread view.
  public var wakeups = true
  /// Ring bytes that wake the drain loop, as a fraction of the ring (1/4 by default).
  public var wakeupDivisor: Int?
  /// Kernel frames in switch-out stacks (the kernel walks its own stack at every switch);
  /// without them wait reasons come from the libc or runtime wrappers.
  public var kernelStacks = true
  /// Records or BPF (`run --off-cpu-method bpf|records`); nil lets `OffCPUChoice` decide.
  public var method: OffCPUMethod?

  public init(
    ringPages: Int? = nil, stackBytes: Int? = nil, wakeups: Bool = true, wakeupDivisor: Int? = nil,
    kernelStacks: Bool = true, method: OffCPUMethod? = nil
  ) {
    self.method = method
    self.ringPages = ringPages
    self.stackBytes = stackBytes
    self.wakeups = wakeups
    self.wakeupDivisor = wakeupDivisor
    self.kernelStacks = kernelStacks
  }
}

/// The calling thread's nice value lowered to `nice` until `end` (or deinit, also when a
/// capture fails half-way), then back to what it was.
final class PriorityBoost {
  private var saved: Int32?

  init(nice: Int32) {
    let which = __priority_which_t(PRIO_PROCESS.rawValue)
    Syscall.clearLastError()
    let old = getpriority(which, 0)
    if Syscall.lastError.rawValue == 0, old > nice, setpriority(which, 0, nice) == 0 { saved = old }
  }

  func end() {
    guard let old = saved else { return }
    saved = nil
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, old)
  }

  deinit { end() }
}

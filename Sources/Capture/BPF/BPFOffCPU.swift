import BPFObjects
import CBPF

/// Off-CPU capture in the kernel (`run --off-cpu` on the BPF path): offcpu.bpf's programs on
/// `sched_switch`, `sched_process_fork`/`exec` and `sched_waking` add up every wait of the
/// target's process tree per (thread, user stack, kernel stack, runnable); `finish` reads the
/// maps into the converter. No record per switch crosses to user space, which is the cost the
/// record path cannot avoid (~3× on a switch-heavy program).
public final class BPFOffCPU {
  private var object: BPFObject?

  /// What the kernel side counted, for the run's notes.
  public struct Counts: Sendable, Equatable {
    public var switches: UInt64 = 0
    public var stackMisses: UInt64 = 0
    /// Switch-outs at a place the thread had not left from lately: both stacks walked.
    public var stackWalks: UInt64 = 0
    /// New places past the copy array (their user stacks were frame-pointer walks instead).
    public var copiesFull: UInt64 = 0
    /// Whether `__schedule` was missing from the first frames of the kernel stack the program
    /// takes (a renamed scheduler entry): kernel stacks then keep the BPF glue frames on top.
    public var glueMissing = false
    public var droppedWaits: UInt64 = 0
    /// Waits whose end was not seen: the thread came back in without a switch the program saw.
    public var unseenEnds: UInt64 = 0
    public var droppedIntervals: UInt64 = 0
    public var unfinished = 0
    public var aggregates = 0
  }

  public init() {}

  deinit { object?.close() }

  /// The most user stack bytes one switch-out place copies on this path.
  public static let maximumCopyBytes = Int(PERFSH_OFFCPU_COPY_BYTES)

  /// The copy size the kernel side uses for `wanted` bytes: the largest power of two not above
  /// it or `maximumCopyBytes`; 0 for no copies (below 256 bytes a copy holds no useful frames).
  public static func copySize(_ wanted: Int) -> Int {
    guard wanted >= 256 else { return 0 }
    var size = 256
    while size * 2 <= min(wanted, maximumCopyBytes) { size *= 2 }
    return size
  }

  /// Loads the programs, seeds `pid` (held at the exec gate: counted from its exec on, with
  /// every process it forks) and attaches them to raw tracepoints.
  ///
  /// `copyBytes` above 0: each place a thread leaves the CPU from copies its user registers and
  /// that many bytes of its user stack (at most `maximumCopyBytes`), unwound with CFI by the
  /// converter as the record path's copies are; 0: user stacks are frame-pointer walks.
  ///
  /// `sharedTargets`, when given, is the per-CPU sampler's target set (`BPFSampleFilter`), already
  /// seeded and grown by its own fork and exec programs: this object then uses that map and
  /// attaches no fork or exec program of its own.
  /// `running`: `pid` is a process already running (`attach`), counted from now on rather than
  /// from its next exec.
  public func open(pid: Int32, sharedTargets: Int32? = nil, copyBytes: Int = 0, running: Bool = false)
    throws(CaptureError)
  {
    let object = try BPFObject(bytes: BPFObjects.offcpu, name: "perfsh_offcpu")
    let copy = Self.copySize(copyBytes)
    var config = perfsh_offcpu_config()
    config.copy_bytes = UInt32(copy)
    config.task_pid_offset = try KernelBTF.taskPIDOffset()
    withUnsafeMutableBytes(of: &config.symbol_format) { $0.copyBytes(from: Array("%ps".utf8)) }
    withUnsafeMutableBytes(of: &config.glue_function) { $0.copyBytes(from: Array("__schedule".utf8)) }
    try object.setConstants(config)
    if copy == 0 { try object.setEntries(1, map: "copies") }
    try BPFTargetSet.size(object)
    if let sharedTargets { try object.reuseMap("targets", descriptor: sharedTargets) }
    try object.load()
    self.object = object
    if sharedTargets == nil {
      try BPFTargetSet.seed(object, pid: pid, state: running ? BPFTargetSet.counted : BPFTargetSet.seeded)
    }
    // Forks and wakeups first: a switch-out must never be counted for a process the fork
    // program has not seen yet.
    let setPrograms =
      sharedTargets == nil ? [("on_fork", "sched_process_fork"), ("on_exec", "sched_process_exec")] : []
    for (program, event) in setPrograms + [("on_waking", "sched_waking"), ("on_switch", "sched_switch")] {
      try object.attach(program, rawTracepoint: event)
    }
  }

  /// Reads the aggregates, their stacks and long waits into `converter`, then detaches the
  /// programs; call once, after the target exited.
  @discardableResult
  public func finish(into converter: inout ProfileConverter) throws(CaptureError) -> Counts {
    guard let object else { return Counts() }
    defer {
      object.closeInBackground()  // the maps are read by then; detaching waits for the kernel
      self.object = nil
    }
    var counts = Counts()
    // From here the programs change nothing: places, pending waits and aggregates hold still.
    try object.map("control").update(UInt32(0), UInt32(1))
    let counters = try object.map("counters")
    func counter(_ slot: Int32) throws(CaptureError) -> UInt64 {
      try counters.perCPUValues(at: UInt32(slot), as: UInt64.self).reduce(0, &+)
    }
    counts.switches = try counter(PERFSH_OFFCPU_SWITCHES)
    counts.stackMisses = try counter(PERFSH_OFFCPU_STACK_MISSES)
    counts.stackWalks = try counter(PERFSH_OFFCPU_STACK_WALKS)
    counts.copiesFull = try counter(PERFSH_OFFCPU_COPIES_FULL)
    counts.glueMissing = try counter(PERFSH_OFFCPU_GLUE_MISSING) > 0
    counts.droppedWaits = try counter(PERFSH_OFFCPU_DROPPED)
    counts.unseenEnds = try counter(PERFSH_OFFCPU_UNSEEN)

    var waits: [AggregateKey: [OffCPUWait]] = [:]
    let claimed = try object.map("interval_count").value(at: UInt32(0), as: UInt64.self) ?? 0
    let slots = min(claimed, UInt64(PERFSH_OFFCPU_INTERVALS))
    counts.droppedIntervals = claimed - slots
    let intervals = try object.map("intervals")
    for slot in 0..<UInt32(slots) {
      guard let v = try intervals.value(at: slot, as: perfsh_offcpu_interval.self) else { continue }
      waits[AggregateKey(v.key), default: []].append(
        OffCPUWait(start: v.start, end: v.end, waker: v.waker > 0 ? v.waker : nil))
    }

    // Waits add up in their place until it is replaced or its thread exits (then in `offcpu`);
    // a thread's last wait is added at its next switch-out, so for a thread on a CPU now it
    // ends when that CPU's `running` says the thread came in. A thread off the CPU now is
    // still waiting: unfinished, not counted.
    var sums: [AggregateKey: (nanos: UInt64, count: UInt64)] = [:]
    func add(_ key: AggregateKey, _ nanos: UInt64, _ count: UInt64) {
      sums[key, default: (0, 0)].nanos &+= nanos
      sums[key, default: (0, 0)].count &+= count
    }
    let onCPU = try object.map("running").perCPUValues(at: UInt32(0), as: perfsh_offcpu_running.self)
    var cameIn: [UInt64: UInt64] = [:]
    for cpu in onCPU where cpu.task != 0 { cameIn[cpu.task] = cpu.since }
    let starts = try object.map("starts")
    for tid in try starts.keys(as: UInt32.self) {
      guard let s = try starts.value(at: tid, as: perfsh_offcpu_start.self) else { continue }
      var places = withUnsafeBytes(of: s.places) { Array($0.bindMemory(to: perfsh_offcpu_place.self)) }
      if s.time != 0 {
        if let since = cameIn[s.task], since > s.time, Int(s.current) < places.count {
          let current = Int(s.current)
          places[current].nanos &+= since - s.time
          places[current].count &+= 1
          if since - s.time >= PERFSH_OFFCPU_MIN_INTERVAL_NS {
            let woken = s.waker > 0 && s.waker_time >= s.time && s.waker_time <= since
            waits[AggregateKey(places[current], pid: s.pid, tid: Int32(bitPattern: tid)), default: []].append(
              OffCPUWait(start: s.time, end: since, waker: woken ? s.waker : nil))
          }
        } else {
          counts.unfinished += 1
        }
      }
      for place in places where place.used != 0 && place.count > 0 {
        add(AggregateKey(place, pid: s.pid, tid: Int32(bitPattern: tid)), place.nanos, place.count)
      }
    }

    let map = try object.map("offcpu")
    let stackMap = try object.map("stacks")
    var stacks: [Int32: [UInt64]] = [:]
    func stack(_ id: Int32) throws(CaptureError) -> [UInt64] {
      guard id >= 0 else { return [] }
      if let known = stacks[id] { return known }
      let frames = try stackMap.value(at: UInt32(id), as: perfsh_offcpu_stack.self).map { value in
        withUnsafeBytes(of: value.ips) { Array($0.bindMemory(to: UInt64.self).prefix { $0 != 0 }) }
      }
      stacks[id] = frames ?? []
      return frames ?? []
    }
    let copyMap = try object.map("copies")
    var copies: [UInt32: OffCPUStackCopy] = [:]
    func copy(_ slot: UInt32) throws(CaptureError) -> OffCPUStackCopy? {
      guard slot > 0 else { return nil }
      if let known = copies[slot] { return known }
      guard let c = try copyMap.value(at: slot - 1, as: perfsh_offcpu_copy.self) else { return nil }
      let registers = withUnsafeBytes(of: c.regs) { Array($0.bindMemory(to: UInt64.self)) }
      let size = min(Int(c.size), Self.maximumCopyBytes)
      let stack = withUnsafeBytes(of: c.bytes) { Array($0.prefix(size)) }
      let made = OffCPUStackCopy(registers: registers, stack: stack)
      copies[slot] = made
      return made
    }
    for key in try map.keys(as: perfsh_offcpu_key.self) {
      guard let value = try map.value(at: key, as: perfsh_offcpu_value.self) else { continue }
      add(AggregateKey(key), value.nanos, value.count)
    }
    var aggregates: [OffCPUAggregate] = []
    for (key, sum) in sums.sorted(by: { $0.key < $1.key }) {
      aggregates.append(
        OffCPUAggregate(
          pid: key.pid, tid: key.tid, kernelStack: try stack(key.kernelStack), userStack: try stack(key.userStack),
          runnable: key.runnable != 0, nanos: Int64(clamping: sum.nanos), waits: Int(clamping: sum.count),
          intervals: waits[key] ?? [], userCopy: try copy(key.userCopy)))
    }
    counts.aggregates = aggregates.count
    converter.consume(
      offCPUAggregates: aggregates, unfinished: counts.unfinished, lost: counts.droppedWaits + counts.unseenEnds)
    return counts
  }
}

/// `perfsh_offcpu_key` as a Swift key (C structs are not Hashable), ordered for stable rows.
private struct AggregateKey: Hashable, Comparable {
  var pid: Int32
  var tid: Int32
  var runnable: UInt32
  var userStack: Int32
  var kernelStack: Int32
  var userCopy: UInt32

  init(_ p: perfsh_offcpu_place, pid: Int32, tid: Int32) {
    self.pid = pid
    self.tid = tid
    runnable = p.runnable
    userStack = p.user_stack
    kernelStack = p.kernel_stack
    userCopy = p.user_copy
  }

  init(_ k: perfsh_offcpu_key) {
    pid = k.pid
    tid = k.tid
    runnable = k.runnable
    userStack = k.user_stack
    kernelStack = k.kernel_stack
    userCopy = k.user_copy
  }

  static func < (a: Self, b: Self) -> Bool {
    (a.pid, a.tid, a.runnable, a.userStack, a.kernelStack, a.userCopy)
      < (b.pid, b.tid, b.runnable, b.userStack, b.kernelStack, b.userCopy)
  }
}

extension CommandCapture {
  /// Opens the BPF off-CPU capture on the gated child (sharing the per-CPU sampler's target set
  /// when `sharedTargets` is given); when it fails and BPF was not asked
  /// for, the record path is used instead and the choice says why.
  static func openKernelOffCPU(
    pid: Int32, choice: OffCPUChoice, forced: Bool, sharedTargets: Int32?, copyBytes: Int, running: Bool = false
  ) throws(CaptureError) -> (BPFOffCPU?, OffCPUChoice) {
    let capture = BPFOffCPU()
    do {
      try capture.open(pid: pid, sharedTargets: sharedTargets, copyBytes: copyBytes, running: running)
      return (capture, choice)
    } catch {
      if forced { throw error }
      return (nil, OffCPUChoice(fallback: "BPF could not be opened (\(error.description))"))
    }
  }
}

extension OffCPUChoice {
  /// The record path after a failed BPF open.
  init(fallback reason: String) {
    self.init(requested: .records, recordStackBytes: 0, bpf: .available)
    self.reason = reason
  }

  /// The run's notes: the choice, and on the BPF path what the kernel side counted.
  func notes(_ counts: BPFOffCPU.Counts?) -> [String] {
    guard let c = counts else { return [note] }
    var lines = [
      note,
      "off-CPU in the kernel: \(c.switches) switch-outs in \(c.aggregates) aggregates, stacks walked at "
        + "\(c.stackWalks) (the rest left from a place of their thread's last \(PERFSH_OFFCPU_PLACES)); "
        + "waits of other threads are shown "
        + "while a shown thread waited for them, judged from waits of at least 100µs (shorter ones always shown)",
    ]
    if c.copiesFull > 0 {
      lines.append(
        "off-CPU in the kernel: \(c.copiesFull) places past the first \(PERFSH_OFFCPU_COPIES) had their user stacks "
          + "walked by frame pointers instead of copied (callers of code without frame pointers may be missing)")
    }
    if c.glueMissing {
      lines.append(
        "off-CPU in the kernel: __schedule was not among the first kernel frames the program saw, so kernel "
          + "stacks start with the BPF program's own frames (user stacks and wait times are unaffected)")
    }
    if c.stackMisses > 0 {
      lines.append("off-CPU in the kernel: \(c.stackMisses) switch-outs lost a stack (stack map full or colliding)")
    }
    if c.droppedWaits > 0 { lines.append("off-CPU in the kernel: \(c.droppedWaits) waits dropped (a full map)") }
    if c.unseenEnds > 0 {
      lines.append(
        "off-CPU in the kernel: \(c.unseenEnds) waits dropped (their thread came back without a switch seen)")
    }
    if c.droppedIntervals > 0 {
      lines.append(
        "off-CPU in the kernel: \(c.droppedIntervals) long waits past the first 65,536 not used for the critical-thread view"
      )
    }
    return lines
  }
}

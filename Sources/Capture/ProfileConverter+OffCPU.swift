import ProfileModel

/// The off-CPU side of a `run --off-cpu` profile: each thread's last switch-out (its stack
/// and time) until its next switch-in, when the gap becomes `offcpu` nanoseconds on that stack.
struct OffCPUState {
  /// The columns off-CPU capture adds: time off the CPU, and wall = cpu + offcpu per row.
  static let sampleTypes = [
    ValueType(type: "offcpu", unit: "nanoseconds"), ValueType(type: "wall", unit: "nanoseconds"),
  ]
  /// Label key and value on rows of time spent preempted while runnable.
  static let stateKey = "state"
  static let runnable = "runnable"

  struct Pending {
    var node: StackID
    var pid: Int32
    var time: UInt64
    var runnable: Bool
  }

  /// Column of `offcpu`; `wall` follows it.
  let firstColumn: Int
  var pending: [Int32: Pending] = [:]
  var summary = OffCPUSummary()
  /// Every finished wait (which row it went to), for the critical-thread split at the end.
  var intervals: [CriticalThreads.Interval] = []
  /// Wakeups the target's threads performed (sched_waking), nil when that event was not open.
  var wakeups: [CriticalThreads.Wakeup]?

  init(firstColumn: Int) { self.firstColumn = firstColumn }

  /// Fills the wall column (cpu + offcpu) of every row and the run's off-CPU totals, after
  /// moving the off-CPU time nobody on the critical threads waited for to `critical=no` rows.
  func finish(_ profile: inout Profile) {
    if let main = summary.mainThread {
      let idle = CriticalThreads.idleParts(intervals: intervals, wakeups: wakeups, mainThread: main)
      Self.moveIdleTime(idle, column: firstColumn, in: &profile)
    }
    for row in 0..<profile.samples.count {
      let wall = profile.samples.value(row, 1) &+ profile.samples.value(row, firstColumn)
      profile.samples.add(wall, toSample: row, column: firstColumn + 1)
    }
    var s = summary
    s.unfinished += pending.count
    profile.run.offCPU = s
    profile.run.notes.append(
      wakeups == nil
        ? "off-CPU view: no wakeup records (sched:sched_waking could not be opened), so only the main thread's waits are shown by default"
        : "off-CPU view: waits of other threads are shown while a shown thread waited for them (sched_waking wakeups); the rest is labelled \(CriticalThreads.labelKey)=\(CriticalThreads.labelValue)"
    )
  }

  /// Moves `idle[row]` nanoseconds of each row's off-CPU column to a row with the same stack
  /// and labels plus `critical=no` (hidden by default, shown by `--all-threads`).
  private static func moveIdleTime(_ idle: [Int32: Int64], column: Int, in profile: inout Profile) {
    guard !idle.isEmpty else { return }
    let key = profile.strings.intern(CriticalThreads.labelKey)
    let value = profile.strings.intern(CriticalThreads.labelValue)
    var idleSets: [LabelSetID: LabelSetID] = [:]
    for (row, nanos) in idle.sorted(by: { $0.key < $1.key }) where nanos > 0 {
      let r = Int(row)
      let set = profile.samples.labelSets[r]
      let idleSet: LabelSetID
      if let known = idleSets[set] {
        idleSet = known
      } else {
        idleSet = profile.labelSets.intern(profile.labelSets[set] + [Label(key: key, string: value)])
        idleSets[set] = idleSet
      }
      var values = [Int64](repeating: 0, count: profile.samples.width)
      values[column] = nanos
      profile.samples.add(-nanos, toSample: r, column: column)
      profile.samples.append(stack: profile.samples.stacks[r], values: values, labels: idleSet)
    }
  }
}

extension ProfileConverter {
  /// Applies one record of the context-switch events: a sample is a switch-out (its stack is
  /// where the thread blocked), a SWITCH record marks preemption (out) or the end of the wait (in).
  public mutating func consume(switchEvent record: PerfRecord) {
    guard offCPUState != nil else { return }
    switch record {
    case .sample(let s):
      guard let tid = s.tid, let time = s.time else { return }
      let (node, _) = stackAndLabels(s)
      offCPUState?.pending[tid] = OffCPUState.Pending(node: node, pid: s.pid ?? -1, time: time, runnable: false)
      offCPUState?.summary.switches += 1
    case .contextSwitch(let r):
      guard let tid = r.sampleID.tid, let time = r.sampleID.time else { return }
      if r.isOut {
        if r.isPreempted { offCPUState?.pending[tid]?.runnable = true }
        return
      }
      guard let p = offCPUState?.pending.removeValue(forKey: tid), time > p.time,
        let row = addOffCPU(Int64(clamping: time - p.time), node: p.node, pid: p.pid, tid: tid, runnable: p.runnable)
      else { return }
      offCPUState?.intervals.append(
        CriticalThreads.Interval(tid: tid, start: p.time, end: time, row: Int32(clamping: row), runnable: p.runnable))
    case .lost(let l):
      offCPUState?.summary.lostRecords &+= l.count
    default:
      break
    }
  }

  /// Adds `nanos` of off-CPU time on stack `node` of thread `tid` to its row (made on first use)
  /// and to the run's totals; the row, or nil without off-CPU capture. Shared by the record path
  /// (a switch-in ends a wait) and the BPF path (a kernel aggregate).
  mutating func addOffCPU(_ nanos: Int64, node: StackID, pid: Int32, tid: Int32, runnable: Bool) -> Int? {
    guard let column = offCPUState?.firstColumn else { return nil }
    let row = row(stack: node, labels: labelSet(pid: pid, tid: tid, runnable: runnable))
    profile.samples.add(nanos, toSample: row, column: column)
    offCPUState?.summary.offCPUNanos &+= nanos
    if runnable { offCPUState?.summary.runnableNanos &+= nanos }
    return row
  }

  /// Applies off-CPU time added up in the kernel (`run --off-cpu` on the BPF path): each
  /// aggregate becomes time on its stack like a switch-in of the record path would make, its
  /// long waits feed the critical-thread rule with the thread that ended each as the waker.
  /// `unfinished` waits had not ended; `lost` waits were dropped (a full kernel map).
  public mutating func consume(offCPUAggregates aggregates: [OffCPUAggregate], unfinished: Int, lost: UInt64) {
    guard offCPUState != nil else { return }
    expectWakeups()
    var words: [UInt64] = []
    for a in aggregates where a.nanos > 0 {
      words.removeAll(keepingCapacity: true)
      if !a.kernelStack.isEmpty { words += [PerfContext.kernel] + a.kernelStack }
      if !a.userStack.isEmpty { words += [PerfContext.user] + a.userStack }
      // A copied user stack is unwound like a record's copy; its instruction pointer stands in
      // for the user part when it cannot be.
      if let copy = a.userCopy, copy.registers.count == 17 { words += [PerfContext.user, copy.registers[8]] }
      let misc = a.kernelStack.isEmpty ? PerfRecordMisc.user : PerfRecordMisc.kernel
      let node = words.withUnsafeBytes { raw in
        var sample = PerfSample(misc: misc, pid: a.pid, tid: a.tid, callchain: RawWords(raw))
        guard let copy = a.userCopy, copy.registers.count == 17 else { return stackAndLabels(sample).0 }
        return copy.registers.withUnsafeBytes { registers in
          copy.stack.withUnsafeBytes { stack in
            sample.userRegistersABI = 2  // PERF_SAMPLE_REGS_ABI_64
            sample.userRegisters = RawWords(registers)
            sample.userStack = stack
            return stackAndLabels(sample).0
          }
        }
      }
      guard let row = addOffCPU(a.nanos, node: node, pid: a.pid, tid: a.tid, runnable: a.runnable) else { return }
      offCPUState?.summary.switches += a.waits
      for w in a.intervals where w.end > w.start {
        offCPUState?.intervals.append(
          CriticalThreads.Interval(
            tid: a.tid, start: w.start, end: w.end, row: Int32(clamping: row), runnable: a.runnable))
        if let waker = w.waker { recordWakeup(waker: waker, wakee: a.tid, time: w.end) }
      }
    }
    offCPUState?.summary.unfinished += unfinished
    offCPUState?.summary.lostRecords &+= lost
  }

  /// Applies one record of the wakeup events (`sched:sched_waking` samples in the waker's
  /// context); wakeups done from interrupts (timers, I/O completion) name no waker and are skipped.
  public mutating func consume(wakingEvent record: PerfRecord) {
    guard offCPUState != nil else { return }
    switch record {
    case .sample(let s):
      guard let tid = s.tid, let time = s.time, let raw = s.raw, let w = WakingFields(raw: raw), !w.fromInterrupt else {
        return
      }
      recordWakeup(waker: tid, wakee: w.wakee, time: time)
    case .lost(let l):
      offCPUState?.summary.lostRecords &+= l.count
    default:
      break
    }
  }

  /// Notes that thread `waker` woke thread `wakee` at `time` (the wakeup half of the
  /// critical-thread view); the first call also says that wakeups are being recorded.
  public mutating func recordWakeup(waker: Int32, wakee: Int32, time: UInt64) {
    guard offCPUState != nil, waker != wakee else { return }
    if offCPUState?.wakeups == nil { offCPUState?.wakeups = [] }
    offCPUState?.wakeups?.append(CriticalThreads.Wakeup(time: time, waker: waker, wakee: wakee))
  }

  /// Says that wakeup records are being captured (so no wakeups means nobody woke anybody).
  public mutating func expectWakeups() {
    if offCPUState != nil && offCPUState?.wakeups == nil { offCPUState?.wakeups = [] }
  }
}

/// The fields of a `sched:sched_waking` record perfsh reads, at the offsets of its tracefs
/// format (common_flags at 2, pid at 24; checked against the format file when opening).
struct WakingFields {
  /// Thread id of the task being woken.
  var wakee: Int32
  /// The wakeup ran in hard or soft interrupt (or NMI) context: the current task did not wake it.
  var fromInterrupt: Bool

  /// TRACE_FLAG_HARDIRQ | TRACE_FLAG_SOFTIRQ | TRACE_FLAG_NMI.
  static let interruptFlags: UInt8 = 0x08 | 0x10 | 0x40
  static let flagsOffset = 2
  static let pidOffset = 24

  /// The fields of `raw`; nil when it is too short to hold them.
  init?(raw: UnsafeRawBufferPointer) {
    guard raw.count >= Self.pidOffset + 4 else { return nil }
    fromInterrupt = raw[Self.flagsOffset] & Self.interruptFlags != 0
    wakee = Int32(bitPattern: raw.loadUnaligned(fromByteOffset: Self.pidOffset, as: UInt32.self).littleEndian)
  }
}

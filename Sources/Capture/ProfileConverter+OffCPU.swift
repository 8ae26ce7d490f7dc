import ProfileModel

/// The off-CPU side of a `run --off-cpu` profile: each thread's last switch-out (its stack
/// and time) until its next switch-in, when the gap becomes `offcpu` nanoseconds on that stack.
struct OffCPUState {
  /// The columns off-CPU capture adds: time off the CPU, and wall = cpu + offcpu per row.
  static let sampleTypes = [ValueType(type: "offcpu", unit: "nanoseconds"), ValueType(type: "wall", unit: "nanoseconds")]
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

  init(firstColumn: Int) { self.firstColumn = firstColumn }

  /// Fills the wall column (cpu + offcpu) of every row and the run's off-CPU totals.
  func finish(_ profile: inout Profile) {
    for row in 0..<profile.samples.count {
      let wall = profile.samples.value(row, 1) &+ profile.samples.value(row, firstColumn)
      profile.samples.add(wall, toSample: row, column: firstColumn + 1)
    }
    var s = summary
    s.unfinished = pending.count
    profile.run.offCPU = s
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
      guard let p = offCPUState?.pending.removeValue(forKey: tid), time > p.time, let column = offCPUState?.firstColumn
      else { return }
      let nanos = Int64(clamping: time - p.time)
      let labels = labelSet(pid: p.pid, tid: tid, runnable: p.runnable)
      let key = UInt64(UInt32(bitPattern: p.node.raw)) << 32 | UInt64(UInt32(bitPattern: labels.raw))
      let row: Int
      if let index = sampleIndex[key] {
        row = index
      } else {
        row = profile.samples.count
        sampleIndex[key] = row
        profile.samples.append(stack: p.node, values: repeatElement(0, count: profile.samples.width), labels: labels)
      }
      profile.samples.add(nanos, toSample: row, column: column)
      offCPUState?.summary.offCPUNanos &+= nanos
      if p.runnable { offCPUState?.summary.runnableNanos &+= nanos }
    case .lost(let l):
      offCPUState?.summary.lostRecords &+= l.count
    default:
      break
    }
  }
}

/// Keeps the side-band records (mmap, comm, fork, exit) of the target's process tree when they
/// come from events for every task (the per-CPU sampler's): the target's pid, and every process
/// or thread a kept process forks, as per-task inherited events would see them. Samples, lost
/// and throttle records always pass (the BPF filter already chose the samples).
struct TargetProcessFilter {
  private var pids: Set<Int32>
  /// Side-band records of other processes dropped so far.
  private(set) var dropped: UInt64 = 0

  /// Follows `target` (the gated child) and what it forks.
  init(target: Int32) {
    pids = [target]
  }

  /// Whether `record` belongs to the target's tree; a fork of a kept process adds the child.
  mutating func keep(_ record: PerfRecord) -> Bool {
    let kept: Bool
    switch record {
    case .fork(let t):
      kept = pids.contains(t.parentPID) || pids.contains(t.pid)
      if kept { pids.insert(t.pid) }
    case .exit(let t): kept = pids.contains(t.pid)
    case .mmap(let m): kept = pids.contains(m.pid)
    case .comm(let c): kept = pids.contains(c.pid)
    case .sample, .lost, .throttle, .contextSwitch, .other: kept = true
    }
    if !kept { dropped &+= 1 }
    return kept
  }
}

/// Follows the processes the target forked, from FORK and EXIT records, so a run can say
/// which descendants outlived the target (a daemon) and so were not profiled to the end.
struct DescendantTracker {
  private var started: [Int32] = []
  private var exited = Set<Int32>()

  /// Notes a record; only process creations and process exits matter.
  mutating func note(_ record: PerfRecord) {
    switch record {
    case .fork(let t) where t.pid == t.tid && t.pid != t.parentPID:
      started.append(t.pid)
    case .exit(let t) where t.pid == t.tid:
      exited.insert(t.pid)
    default:
      break
    }
  }

  /// Processes forked under the target that have no exit record and still run now
  /// (checked in /proc, so a recycled pid that is a zombie or gone does not count).
  func survivors(excluding target: Int32) -> [Int32] {
    var seen = Set<Int32>()
    return started.filter { pid in
      pid != target && !exited.contains(pid) && seen.insert(pid).inserted && SystemInfo.processIsRunning(pid)
    }
  }
}

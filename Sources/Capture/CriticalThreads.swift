/// Which off-CPU time somebody waited for: the critical-thread rule of `run --off-cpu`.
///
/// The main thread's waits always count. Another thread's off-CPU time counts only while a
/// counted thread was blocked waiting for it: when thread T ends a blocked wait [a, b] of a
/// counted thread C by waking it (a `sched_waking` record in T's context, not from an
/// interrupt), T's off-CPU time inside [a, b] counts, and so on for the threads that ended
/// T's waits inside that window (up to `maxDepth` hops). Everything else (idle pool workers
/// parked on a condition variable, helpers nobody joined yet) is left out of the default view.
/// Threads the main thread merely woke are not waited on; if they later wake the main thread
/// while it blocks, the rule above counts them for that window.
public enum CriticalThreads {
  /// Label key and value of the off-CPU rows nobody on the critical threads waited for.
  public static let labelKey = "critical"
  public static let labelValue = "no"
  /// Longest chain of "waited for" hops followed from the main thread.
  static let maxDepth = 8
  /// Most windows followed (bounds the work on pathological wakeup storms).
  static let maxWindows = 4_000_000

  /// One finished wait of a thread: off the CPU from `start` to `end`, charged to sample row `row`.
  public struct Interval: Sendable, Equatable {
    public var tid: Int32
    public var start: UInt64
    public var end: UInt64
    public var row: Int32
    /// Preempted while runnable (no waker: nobody ended it).
    public var runnable: Bool

    public init(tid: Int32, start: UInt64, end: UInt64, row: Int32, runnable: Bool) {
      self.tid = tid
      self.start = start
      self.end = end
      self.row = row
      self.runnable = runnable
    }
  }

  /// Thread `waker` woke thread `wakee` at `time`.
  public struct Wakeup: Sendable, Equatable {
    public var time: UInt64
    public var waker: Int32
    public var wakee: Int32

    public init(time: UInt64, waker: Int32, wakee: Int32) {
      self.time = time
      self.waker = waker
      self.wakee = wakee
    }
  }

  /// Off-CPU nanoseconds per sample row that no critical thread waited for. Without
  /// `wakeups` (the event could not be opened) every other thread's time is left out.
  public static func idleParts(intervals: [Interval], wakeups: [Wakeup]?, mainThread: Int32) -> [Int32: Int64] {
    var byThread: [Int32: [Int]] = [:]
    for (i, v) in intervals.enumerated() where v.end > v.start { byThread[v.tid, default: []].append(i) }
    for key in byThread.keys { byThread[key]?.sort { intervals[$0].start < intervals[$1].start } }
    var windows: [Int32: [(UInt64, UInt64)]] = [:]
    if let wakeups {
      var wakes: [Int32: [Wakeup]] = [:]
      for w in wakeups { wakes[w.wakee, default: []].append(w) }
      for key in wakes.keys { wakes[key]?.sort { $0.time < $1.time } }
      /// The thread that ended blocked wait `v` (the last wakeup of it inside the wait).
      func waker(of v: Interval) -> Int32? {
        guard !v.runnable, let list = wakes[v.tid] else { return nil }
        var lo = 0
        var hi = list.count
        while lo < hi {
          let mid = (lo + hi) / 2
          if list[mid].time <= v.end { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0, list[lo - 1].time >= v.start else { return nil }
        return list[lo - 1].waker
      }
      var work: [(tid: Int32, start: UInt64, end: UInt64, depth: Int)] = []
      for i in byThread[mainThread] ?? [] {
        let v = intervals[i]
        if let w = waker(of: v), w != mainThread { work.append((w, v.start, v.end, 1)) }
      }
      var followed = 0
      while let (tid, a, b, depth) = work.popLast(), followed < maxWindows {
        followed += 1
        windows[tid, default: []].append((a, b))
        guard depth < maxDepth, let own = byThread[tid] else { continue }
        var k = firstEnding(after: a, in: own, intervals)
        while k < own.count, intervals[own[k]].start < b {
          let v = intervals[own[k]]
          if let w = waker(of: v), w != tid, w != mainThread {
            work.append((w, max(a, v.start), min(b, v.end), depth + 1))
          }
          k += 1
        }
      }
    }
    var idle: [Int32: Int64] = [:]
    for (tid, indices) in byThread where tid != mainThread {
      let merged = union(windows[tid] ?? [])
      for i in indices {
        let v = intervals[i]
        var covered: UInt64 = 0
        var lo = 0
        var hi = merged.count
        while lo < hi {
          let mid = (lo + hi) / 2
          if merged[mid].1 <= v.start { lo = mid + 1 } else { hi = mid }
        }
        while lo < merged.count, merged[lo].0 < v.end {
          covered += min(merged[lo].1, v.end) - max(merged[lo].0, v.start)
          lo += 1
        }
        let rest = Int64(clamping: (v.end - v.start) - min(covered, v.end - v.start))
        if rest > 0 { idle[v.row, default: 0] &+= rest }
      }
    }
    return idle
  }

  /// Index in `own` (sorted, disjoint waits) of the first wait ending after `time`.
  private static func firstEnding(after time: UInt64, in own: [Int], _ intervals: [Interval]) -> Int {
    var lo = 0
    var hi = own.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if intervals[own[mid]].end <= time { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// The union of `spans` as sorted, disjoint spans.
  static func union(_ spans: [(UInt64, UInt64)]) -> [(UInt64, UInt64)] {
    var out: [(UInt64, UInt64)] = []
    for (a, b) in spans.sorted(by: { $0.0 < $1.0 }) where b > a {
      if let last = out.last, a <= last.1 {
        out[out.count - 1].1 = max(last.1, b)
      } else {
        out.append((a, b))
      }
    }
    return out
  }
}

import ProfileModel

/// Pairs entries and returns per thread and turns them into exact per-call statistics.
///
/// Each thread has a stack of open calls. A return pops up to the innermost open call of
/// the same function: calls above it never returned (longjmp, exceptions) and are counted
/// as unmatched entries; a return with no open call is an unmatched return. A completed
/// call's self time is its duration minus the durations of the traced calls it made, so
/// recursion counts every level in Count and self times sum to the outermost duration.
/// Hits must arrive in time order per thread.
public struct ShadowStacks: Sendable {
  private struct Frame: Sendable {
    var function: UInt32
    var entry: UInt64
    var childNanos: Int64
  }

  private struct Accumulator: Sendable {
    var calls: Int64 = 0
    var selfNanos: Int64 = 0
    var totalNanos: Int64 = 0
    var unmatchedEntries: Int64 = 0
    var unmatchedReturns: Int64 = 0
    var distribution = SelfTimeDistribution()
  }

  private var stacks: [UInt32: [Frame]] = [:]
  private var functions: [Accumulator]
  private let hasReturns: [Bool]

  /// Stacks for `probesReturns.count` functions; entry-only functions count entries as calls.
  public init(probesReturns: [Bool]) {
    hasReturns = probesReturns
    functions = Array(repeating: Accumulator(), count: probesReturns.count)
  }

  /// Feeds one hit.
  public mutating func consume(_ hit: TraceHit) {
    let f = Int(hit.function)
    guard functions.indices.contains(f) else { return }
    if !hasReturns[f] {
      if !hit.isReturn { functions[f].calls &+= 1 }
      return
    }
    if !hit.isReturn {
      stacks[hit.tid, default: []].append(Frame(function: hit.function, entry: hit.time, childNanos: 0))
      return
    }
    guard var stack = stacks[hit.tid], let k = stack.lastIndex(where: { $0.function == hit.function }) else {
      functions[f].unmatchedReturns &+= 1
      return
    }
    stacks[hit.tid] = nil  // drop the dictionary's reference so the array mutates in place
    for skipped in stack[(k + 1)...] { functions[Int(skipped.function)].unmatchedEntries &+= 1 }
    let frame = stack[k]
    stack.removeSubrange(k...)
    let duration = Int64(clamping: hit.time &- min(hit.time, frame.entry))
    let selfNanos = max(0, duration - frame.childNanos)
    functions[f].calls &+= 1
    functions[f].selfNanos &+= selfNanos
    functions[f].totalNanos &+= duration
    functions[f].distribution.record(selfNanos)
    if !stack.isEmpty { stack[stack.count - 1].childNanos &+= duration }
    if !stack.isEmpty { stacks[hit.tid] = stack }
  }

  /// Calls still open now; at the end of a run they are entries whose return never came.
  public var openCalls: Int { stacks.values.reduce(0) { $0 + $1.count } }

  /// Returns that matched no open call, over all functions.
  public var unmatchedReturns: Int64 { functions.reduce(0) { $0 + $1.unmatchedReturns } }

  /// The statistics of every function, in probe order; calls still open count as unmatched.
  public func statistics() -> [CallStatistics] {
    var open = Array(repeating: Int64(0), count: functions.count)
    for stack in stacks.values {
      for frame in stack { open[Int(frame.function)] += 1 }
    }
    return functions.indices.map { i in
      let a = functions[i]
      let timed = hasReturns[i]
      return CallStatistics(
        calls: a.calls, selfNanos: timed ? a.selfNanos : 0, totalNanos: timed ? a.totalNanos : 0,
        maxSelfNanos: timed ? a.distribution.maximum : 0,
        p95SelfNanos: timed ? a.distribution.percentile(95) : nil,
        unmatchedEntries: a.unmatchedEntries + open[i], hasDurations: timed)
    }
  }
}

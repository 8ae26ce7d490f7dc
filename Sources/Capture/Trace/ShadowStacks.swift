import ProfileModel

/// Pairs entries and returns per thread (per goroutine for Go code) and turns them into
/// exact per-call statistics, in CPU time and in wall time.
///
/// Go hits carry their goroutine (`g`, from R14): a goroutine can park inside a call and
/// resume on another thread, so its calls pair on the goroutine's own stack, and its CPU
/// clock is the sum of its stints on threads (from one `goroutineStart` — Go's scheduler
/// handing a thread a goroutine — to the next on that thread, minus the thread's
/// switched-out time); a stint so includes the scheduler's own work between goroutines.
/// A tail jump out of a function ends its innermost open call without a duration; a
/// restart (Go's stack growth) undoes the entry just made.
///
/// Each thread has a stack of open calls. A return pops up to the innermost open call of
/// the same function: calls above it never returned (longjmp, exceptions) and are counted
/// as unmatched entries; a return with no open call is an unmatched return. A completed
/// call's self time is its duration minus the durations of the traced calls it made, so
/// recursion counts every level in Count and self times sum to the outermost duration.
/// A call's CPU time is its wall time minus the time its thread spent switched out in
/// between (from the context-switch records). With a `ProbeCost` (given when the statistics
/// are taken, so it can be measured during the run), each call's self time loses the part
/// of its own probes' traps that falls inside it and the part of its traced callees' traps
/// that falls outside theirs; totals lose the same, so self times still add up. The cost is
/// taken out of the sums (exact) and out of Max and P95 with the function's mean number of
/// traced callees (exact when, as usual, every call makes the same number).
/// Records must arrive in time order per thread.
public struct ShadowStacks: Sendable {
  private struct Frame: Sendable {
    var function: UInt32
    var entry: UInt64
    /// The CPU clock of the thread (or goroutine) that made the call, when it began.
    var clockAtEntry: Int64
    /// Sums of the durations of the traced calls this call made.
    var childCPU: Int64 = 0
    var childWall: Int64 = 0
    /// Traced calls made directly, and at any depth.
    var children: Int64 = 0
    var descendants: Int64 = 0
  }

  private struct Thread: Sendable {
    /// Time spent switched out since the thread was first seen.
    var offCPU: Int64 = 0
    /// When the thread was switched out, while it is.
    var switchedOut: UInt64?
    /// The goroutine the thread runs (Go), since `stintStart`, when its switched-out time
    /// was `offAtStintStart`.
    var goroutine: UInt64 = 0
    var stintStart: UInt64 = 0
    var offAtStintStart: Int64 = 0

    /// The switched-out time up to `time`, closing a switch-out whose switch-in was lost.
    mutating func offCPU(at time: UInt64) -> Int64 {
      if let out = switchedOut {
        offCPU &+= Int64(clamping: time &- min(time, out))
        switchedOut = nil
      }
      return offCPU
    }

    /// The thread's CPU clock: time minus switched-out time.
    mutating func clock(at time: UInt64) -> Int64 { Int64(clamping: time) &- offCPU(at: time) }

    /// CPU time the current goroutine has had on this thread since its stint began.
    mutating func stintCPU(at time: UInt64) -> Int64 {
      max(0, Int64(clamping: time &- min(time, stintStart)) - (offCPU(at: time) - offAtStintStart))
    }
  }

  private struct Times: Sendable {
    var selfNanos: Int64 = 0
    var totalNanos: Int64 = 0
    var distribution = SelfTimeDistribution()

    mutating func record(self s: Int64, total: Int64) {
      selfNanos &+= s
      totalNanos &+= total
      distribution.record(s)
    }

    /// The times with `perCall` taken out of each call's self time, `selfCost` / `totalCost`
    /// out of the sums.
    func value(perCall: Int64 = 0, selfCost: Int64 = 0, totalCost: Int64 = 0) -> CallTimes {
      CallTimes(
        selfNanos: max(0, selfNanos - selfCost), totalNanos: max(0, totalNanos - totalCost),
        maxSelfNanos: max(0, distribution.maximum - perCall),
        p95SelfNanos: distribution.percentile(95).map { max(0, $0 - perCall) })
    }
  }

  private struct Accumulator: Sendable {
    var calls: Int64 = 0
    var unmatchedEntries: Int64 = 0
    var unmatchedReturns: Int64 = 0
    /// Traced callees over all calls: direct, and at any depth.
    var children: Int64 = 0
    var descendants: Int64 = 0
    var cpu = Times()
    var wall = Times()
    /// Some calls were paired on a goroutine's stack.
    var perGoroutine = false
  }

  private var threads: [UInt32: Thread] = [:]
  /// Open calls per thread (key: tid | 1 << 63) or, for Go code, per goroutine (its `g`).
  private var stacks: [UInt64: [Frame]] = [:]
  /// CPU time of each goroutine's finished stints on threads.
  private var goroutineCPU: [UInt64: Int64] = [:]
  private var functions: [Accumulator]
  private let hasReturns: [Bool]
  private let cost: ProbeCost
  /// When set, every completed call is logged here too (bounded; function = probe index),
  /// for `export chrome`. The only hook the per-call log needs.
  public var callLog: CallEventLog?

  /// Stacks for `probesReturns.count` functions; entry-only functions count entries as calls.
  /// `probeCost` is what `statistics()` takes out by default (zero keeps raw numbers only).
  public init(probesReturns: [Bool], probeCost: ProbeCost = .zero) {
    hasReturns = probesReturns
    functions = Array(repeating: Accumulator(), count: probesReturns.count)
    cost = probeCost
  }

  /// Feeds one record.
  public mutating func consume(_ hit: TraceHit) {
    switch hit.kind {
    case .switchOut:
      threads[hit.tid, default: Thread()].switchedOut = hit.time
      return
    case .switchIn:
      guard var thread = threads.removeValue(forKey: hit.tid) else { return }
      _ = thread.offCPU(at: hit.time)
      threads[hit.tid] = thread
      return
    case .goroutineStart:
      var thread = threads.removeValue(forKey: hit.tid) ?? Thread()
      startStint(of: hit.goroutine, on: &thread, at: hit.time)
      threads[hit.tid] = thread
      return
    case .entry, .return, .tailJump, .restart:
      break
    }
    let f = Int(hit.function)
    guard functions.indices.contains(f) else { return }
    if !hasReturns[f] {
      if hit.kind == .entry { functions[f].calls &+= 1 }
      if hit.kind == .restart { functions[f].calls &-= 1 }
      return
    }
    var thread = threads.removeValue(forKey: hit.tid) ?? Thread()  // mutate in place, then put back
    defer { threads[hit.tid] = thread }
    let key: UInt64
    let clock: Int64
    if hit.goroutine != 0 {
      // Go: the goroutine's CPU clock (its stints on threads), the stack of the goroutine.
      var g = hit.goroutine
      // Go assembly (ABI0) may clobber R14 before its RET: a return whose R14 holds no open
      // call of the function belongs to the goroutine the thread runs, when that one has it.
      if hit.kind != .entry, thread.goroutine != 0, g != thread.goroutine,
        stacks[g]?.contains(where: { $0.function == hit.function }) != true,
        stacks[thread.goroutine]?.contains(where: { $0.function == hit.function }) == true
      {
        g = thread.goroutine
      }
      if thread.goroutine != g { startStint(of: g, on: &thread, at: hit.time) }
      key = g
      clock = goroutineCPU[g, default: 0] &+ thread.stintCPU(at: hit.time)
    } else {
      key = UInt64(hit.tid) | 1 << 63
      clock = thread.clock(at: hit.time)
    }
    var stack = stacks.removeValue(forKey: key) ?? []
    defer { if !stack.isEmpty { stacks[key] = stack } }
    if hit.kind == .entry {
      stack.append(Frame(function: hit.function, entry: hit.time, clockAtEntry: clock))
      return
    }
    if hit.kind == .restart {
      // The entry just recorded was a false start (the stack grows, then the call restarts).
      if stack.last?.function == hit.function { stack.removeLast() }
      return
    }
    guard let k = stack.lastIndex(where: { $0.function == hit.function }) else {
      if hit.kind == .return { functions[f].unmatchedReturns &+= 1 }
      return
    }
    for skipped in stack[(k + 1)...] { functions[Int(skipped.function)].unmatchedEntries &+= 1 }
    let frame = stack[k]
    stack.removeSubrange(k...)
    if hit.kind == .tailJump {
      // Left by a jump (tail call): the call did not return, so it has no duration.
      functions[f].unmatchedEntries &+= 1
      return
    }
    let wall = Int64(clamping: hit.time &- min(hit.time, frame.entry))
    let cpu = min(wall, max(0, clock &- frame.clockAtEntry))
    functions[f].calls &+= 1
    if hit.goroutine != 0 { functions[f].perGoroutine = true }
    callLog?.append(
      CallEvent(
        function: FunctionID(Int(hit.function)), thread: Int64(hit.tid), startNanos: Int64(clamping: frame.entry),
        wallNanos: wall, cpuNanos: cpu))
    functions[f].children &+= frame.children
    functions[f].descendants &+= frame.descendants
    functions[f].cpu.record(self: max(0, cpu - frame.childCPU), total: cpu)
    functions[f].wall.record(self: max(0, wall - frame.childWall), total: wall)
    if !stack.isEmpty {
      let p = stack.count - 1
      stack[p].childCPU &+= cpu
      stack[p].childWall &+= wall
      stack[p].children &+= 1
      stack[p].descendants &+= 1 &+ frame.descendants
    }
  }

  /// Ends the stint of the goroutine `thread` runs (its CPU time so far is banked) and
  /// starts one of `goroutine` at `time`.
  private mutating func startStint(of goroutine: UInt64, on thread: inout Thread, at time: UInt64) {
    if thread.goroutine != 0 { goroutineCPU[thread.goroutine, default: 0] &+= thread.stintCPU(at: time) }
    thread.goroutine = goroutine
    thread.stintStart = time
    thread.offAtStintStart = thread.offCPU(at: time)
  }

  /// Calls still open now; at the end of a run they are entries whose return never came.
  public var openCalls: Int { stacks.values.reduce(0) { $0 + $1.count } }

  /// Returns that matched no open call, over all functions.
  public var unmatchedReturns: Int64 { functions.reduce(0) { $0 + $1.unmatchedReturns } }

  /// The statistics of every function, in probe order; calls still open count as unmatched.
  /// CPU time with `probeCost` (default: the one given at init) taken out in the main
  /// fields, wall and raw times beside it.
  public func statistics(probeCost: ProbeCost? = nil) -> [CallStatistics] {
    let cost = probeCost ?? self.cost
    var open = Array(repeating: Int64(0), count: functions.count)
    for stack in stacks.values {
      for frame in stack { open[Int(frame.function)] += 1 }
    }
    return functions.indices.map { i in
      let a = functions[i]
      var stats = statistics(of: a, timed: hasReturns[i], open: open[i], cost: cost)
      stats.perGoroutine = a.perGoroutine
      return stats
    }
  }

  /// One function's statistics from its accumulated calls, `open` calls still unreturned.
  private func statistics(of a: Accumulator, timed: Bool, open: Int64, cost: ProbeCost) -> CallStatistics {
    // Own traps inside each call, callees' traps outside theirs; totals lose every
    // descendant's whole traps too.
    let selfCost = a.calls &* cost.insideNanos &+ a.children &* cost.outsideNanos
    let totalCost = a.calls &* cost.insideNanos &+ a.descendants &* cost.perCallNanos
    let perCall = a.calls > 0 ? cost.insideNanos + (a.children * cost.outsideNanos + a.calls / 2) / a.calls : 0
    let cpu = a.cpu.value(perCall: perCall, selfCost: selfCost, totalCost: totalCost)
    return CallStatistics(
      calls: a.calls, selfNanos: timed ? cpu.selfNanos : 0, totalNanos: timed ? cpu.totalNanos : 0,
      maxSelfNanos: timed ? cpu.maxSelfNanos : 0, p95SelfNanos: timed ? cpu.p95SelfNanos : nil,
      unmatchedEntries: a.unmatchedEntries + open, hasDurations: timed, clock: .cpu,
      wall: timed ? a.wall.value(perCall: perCall, selfCost: selfCost, totalCost: totalCost) : nil,
      rawCPU: timed && !cost.isZero ? a.cpu.value() : nil,
      rawWall: timed && !cost.isZero ? a.wall.value() : nil,
      probeCostNanos: timed ? cost.perCallNanos : 0)
  }
}

/// The cost of one traced call's probes (entry trap + return trap), measured on this
/// machine, split by where it lands: `insideNanos` between the call's own entry and return
/// timestamps, `outsideNanos` before its entry and after its return, so in its caller.
public struct ProbeCost: Sendable, Equatable {
  /// Trap time inside the traced call's own interval.
  public var insideNanos: Int64
  /// Trap time outside it (charged to the caller's self time).
  public var outsideNanos: Int64

  /// Nothing to subtract.
  public static let zero = ProbeCost(insideNanos: 0, outsideNanos: 0)

  /// Creates a value from its parts (negative parts count as zero).
  public init(insideNanos: Int64, outsideNanos: Int64) {
    self.insideNanos = max(0, insideNanos)
    self.outsideNanos = max(0, outsideNanos)
  }

  /// True when nothing is subtracted.
  public var isZero: Bool { insideNanos == 0 && outsideNanos == 0 }
  /// The whole cost of one traced call.
  public var perCallNanos: Int64 { insideNanos + outsideNanos }
}

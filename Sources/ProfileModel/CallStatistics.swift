/// Exact per-call numbers for one function, measured by tracing (uprobes), never estimated.
///
/// Self time follows the seed's definition: a call's duration minus the durations of the
/// traced calls it made, so summing self time over functions never double-counts. The main
/// fields hold the thread's CPU time with the probes' own cost taken out; `wall`, `rawCPU`
/// and `rawWall` keep the other views of the same calls (`viewed(_:raw:)` picks one).
public struct CallStatistics: Sendable, Equatable {
  /// Completed calls, recursive ones included.
  public var calls: Int64
  /// Sum of self time over all completed calls (the heatmap's CPU Time).
  public var selfNanos: Int64
  /// Sum of whole-call durations (self + traced callees).
  public var totalNanos: Int64
  /// Largest self time of a single call.
  public var maxSelfNanos: Int64
  /// 95th percentile of self time per call; nil when durations are unknown (entry-only probes).
  public var p95SelfNanos: Int64?
  /// Entries whose return was never seen (longjmp, exceptions, thread exit); not in the numbers above.
  public var unmatchedEntries: Int64
  /// False when only entries were probed (e.g. Go binaries): `calls` is exact, times are absent.
  public var hasDurations: Bool
  /// Which clock the main fields measure.
  public var clock: CallClock
  /// Wall-clock times of the same calls (probe cost taken out); nil when not measured.
  public var wall: CallTimes?
  /// CPU times before the probe cost was taken out; nil when nothing was subtracted.
  public var rawCPU: CallTimes?
  /// Wall times before the probe cost was taken out; nil when nothing was subtracted.
  public var rawWall: CallTimes?
  /// The probe cost taken out of one traced call (its own entry and return traps), in
  /// nanoseconds; 0 when nothing was subtracted.
  public var probeCostNanos: Int64
  /// True when calls were paired per goroutine (Go): CPU time is the goroutine's time on
  /// threads, wall time runs from entry to RET whatever the goroutine did in between.
  public var perGoroutine: Bool = false

  public init(
    calls: Int64, selfNanos: Int64, totalNanos: Int64, maxSelfNanos: Int64, p95SelfNanos: Int64?,
    unmatchedEntries: Int64 = 0, hasDurations: Bool = true, clock: CallClock = .cpu, wall: CallTimes? = nil,
    rawCPU: CallTimes? = nil, rawWall: CallTimes? = nil, probeCostNanos: Int64 = 0
  ) {
    self.calls = calls
    self.selfNanos = selfNanos
    self.totalNanos = totalNanos
    self.maxSelfNanos = maxSelfNanos
    self.p95SelfNanos = p95SelfNanos
    self.unmatchedEntries = unmatchedEntries
    self.hasDurations = hasDurations
    self.clock = clock
    self.wall = wall
    self.rawCPU = rawCPU
    self.rawWall = rawWall
    self.probeCostNanos = probeCostNanos
  }

  /// Mean self time per call (the heatmap's Avg), nil without durations or calls.
  public var averageSelfNanos: Int64? {
    guard hasDurations, calls > 0 else { return nil }
    return selfNanos / calls
  }

  /// The times in the main fields.
  public var times: CallTimes {
    CallTimes(selfNanos: selfNanos, totalNanos: totalNanos, maxSelfNanos: maxSelfNanos, p95SelfNanos: p95SelfNanos)
  }

  /// True when wall-clock numbers are known besides the main (CPU) ones.
  public var hasWall: Bool { wall != nil }

  /// The same calls with `clock` (and, when `raw`, the numbers before the probe cost was
  /// taken out) in the main fields, so every report reads one set of fields. A view that
  /// was not measured (wall time of a loaded profile) leaves the value as it is.
  public func viewed(_ clock: CallClock, raw: Bool = false) -> CallStatistics {
    guard clock != self.clock || raw else { return self }
    let chosen: CallTimes?
    switch (clock, raw) {
    case (.cpu, false): chosen = self.clock == .cpu ? times : nil
    case (.cpu, true): chosen = rawCPU ?? (self.clock == .cpu ? times : nil)
    case (.wall, false): chosen = wall
    case (.wall, true): chosen = rawWall ?? wall
    }
    guard let t = chosen else { return self }
    var v = self
    v.selfNanos = t.selfNanos
    v.totalNanos = t.totalNanos
    v.maxSelfNanos = t.maxSelfNanos
    v.p95SelfNanos = hasDurations ? t.p95SelfNanos : nil
    v.clock = clock
    if raw { v.probeCostNanos = 0 }
    return v
  }
}

/// Which clock per-call times are measured with.
public enum CallClock: String, Sendable, Equatable, CaseIterable {
  /// The thread's CPU time: time it was switched out (blocked, preempted) does not count.
  case cpu
  /// Elapsed time from entry to return.
  case wall
}

/// One clock's times of a function's calls.
public struct CallTimes: Sendable, Equatable {
  /// Sum of self time over all completed calls.
  public var selfNanos: Int64
  /// Sum of whole-call durations.
  public var totalNanos: Int64
  /// Largest self time of a single call.
  public var maxSelfNanos: Int64
  /// 95th percentile of self time per call.
  public var p95SelfNanos: Int64?

  public init(selfNanos: Int64, totalNanos: Int64, maxSelfNanos: Int64, p95SelfNanos: Int64?) {
    self.selfNanos = selfNanos
    self.totalNanos = totalNanos
    self.maxSelfNanos = maxSelfNanos
    self.p95SelfNanos = p95SelfNanos
  }
}

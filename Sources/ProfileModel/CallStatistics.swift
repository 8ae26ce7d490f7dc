/// Exact per-call numbers for one function, measured by tracing (uprobes), never estimated.
///
/// Self time follows the seed's definition: a call's duration minus the durations of the
/// traced calls it made, so summing self time over functions never double-counts.
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

  public init(
    calls: Int64, selfNanos: Int64, totalNanos: Int64, maxSelfNanos: Int64, p95SelfNanos: Int64?,
    unmatchedEntries: Int64 = 0, hasDurations: Bool = true
  ) {
    self.calls = calls
    self.selfNanos = selfNanos
    self.totalNanos = totalNanos
    self.maxSelfNanos = maxSelfNanos
    self.p95SelfNanos = p95SelfNanos
    self.unmatchedEntries = unmatchedEntries
    self.hasDurations = hasDurations
  }

  /// Mean self time per call (the heatmap's Avg), nil without durations or calls.
  public var averageSelfNanos: Int64? {
    guard hasDurations, calls > 0 else { return nil }
    return selfNanos / calls
  }
}

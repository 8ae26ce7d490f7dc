/// One run of a repeated capture (`run -n N`): its own totals, kept so statistics can see
/// the spread between runs while the session's merged profile sums their samples.
public struct RunRepeat: Sendable, Equatable {
  /// Wall time of this run, when the source measured it.
  public var elapsedNanos: Int64?
  /// User + system CPU time of this run's process tree.
  public var cpuNanos: Int64?
  /// Self (flat) time per function name in this run, from its samples or traced calls.
  public var selfNanos: [String: Int64]
  /// Cumulative time per function name in this run (self plus callees, once per sample).
  public var cumNanos: [String: Int64]
  /// Exact per-call statistics of traced functions in this run, keyed by the session
  /// profile's function ids; the session's own are `CallStatistics.merged` of these.
  public var callStatistics: [FunctionID: CallStatistics]
  /// How this run ended.
  public var termination: RunInfo.Termination?

  /// Makes a repeat; maps a source lacks stay empty.
  public init(
    elapsedNanos: Int64? = nil, cpuNanos: Int64? = nil, selfNanos: [String: Int64] = [:],
    cumNanos: [String: Int64] = [:], callStatistics: [FunctionID: CallStatistics] = [:],
    termination: RunInfo.Termination? = nil
  ) {
    self.elapsedNanos = elapsedNanos
    self.cpuNanos = cpuNanos
    self.selfNanos = selfNanos
    self.cumNanos = cumNanos
    self.callStatistics = callStatistics
    self.termination = termination
  }
}

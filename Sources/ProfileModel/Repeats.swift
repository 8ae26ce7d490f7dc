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
  /// For a run of an interleaved `bench`: which bench and which adjacent A/B pair it was
  /// in, so a comparison can pair each A run with the B run beside it. Not saved in archives.
  public var benchPair: BenchPair?

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

/// A run's place in an interleaved `bench`: the bench (an id shared by its two sessions) and
/// the index of the adjacent A/B pair (runs 2i and 2i+1 of the order) the run belongs to.
public struct BenchPair: Sendable, Hashable {
  /// Identifies one bench invocation; equal on both of its sessions.
  public var bench: UInt64
  /// 0-based pair number in the bench's run order.
  public var index: Int

  /// Makes a pair tag.
  public init(bench: UInt64, index: Int) {
    self.bench = bench
    self.index = index
  }
}

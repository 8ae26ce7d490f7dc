import ProfileModel

/// One side of a comparison: a profile's per-run numbers, with every repeat kept when the
/// session was captured with `run -n N` (the merged profile sums their samples).
public struct CompareSide: Sendable {
  /// Name shown in headers, e.g. `[1] ratio`.
  public var label: String
  /// Runs behind the numbers: the repeat count, or 1.
  public var runs: Int
  /// Wall time of each run (one value without repeats); empty when unknown.
  public var elapsed: [Double]
  /// CPU time of each run; empty when unknown.
  public var cpu: [Double]
  /// Samples of the merged profile (all runs).
  public var samples: Int64
  /// Self / cum values of the merged profile (all runs summed).
  public var times: FunctionTimes
  /// Exact call statistics by function name (all runs summed); empty for sampled profiles.
  public var callStatistics: [String: CallStatistics]
  /// Per-run self values by function name, only when there are at least two repeats.
  public var repeatSelf: [[String: Int64]]
  /// Per-run cum values by function name, only when there are at least two repeats.
  public var repeatCum: [[String: Int64]]
  /// Per-run call statistics by function name, only when there are at least two repeats.
  public var repeatCalls: [[String: CallStatistics]]
  /// Each repeat's place in an interleaved `bench` (nil entries for runs outside one).
  public var benchPairs: [BenchPair?]

  /// Whether per-run values exist for the compared column: repeats keep per-run self time
  /// only, so a comparison of another column (e.g. `inuse_space`) has no per-run rows to test.
  public var rowsPerRun: Bool

  /// Reads a profile; `samples` is the sample count the shell shows for it; `column` picks
  /// the value compared per function (default: the time column, see `FunctionTimes`).
  public init(label: String, profile: Profile, samples: Int64, column: Int? = nil) throws(AnalysisError) {
    self.label = label
    let repeats = profile.repeats
    runs = max(1, repeats.count)
    if repeats.count >= 2 {
      elapsed = repeats.compactMap(\.elapsedNanos).map(Double.init)
      cpu = repeats.compactMap(\.cpuNanos).map(Double.init)
      repeatSelf = repeats.map(\.selfNanos)
      repeatCum = repeats.map(\.cumNanos)
      repeatCalls = repeats.map { FunctionTimes.callStatistics($0.callStatistics, namedIn: profile) }
      benchPairs = repeats.map(\.benchPair)
    } else {
      elapsed = profile.run.elapsedNanos.map { [Double($0)] } ?? []
      cpu = profile.run.cpuNanos.map { [Double($0)] } ?? []
      repeatSelf = []
      repeatCum = []
      repeatCalls = []
      benchPairs = []
    }
    self.samples = samples
    times = try FunctionTimes(profile: profile, column: column)
    rowsPerRun = column == nil || column == Heatmap.timeColumn(of: profile)
    callStatistics = FunctionTimes.callStatistics(of: profile)
    if cpu.isEmpty && times.isTime && repeats.count < 2 && times.total > 0 && profile.run.command == nil {
      // A loaded file knows no CPU time from the kernel; its sampled CPU time stands in.
      cpu = [Double(times.total)]
    }
  }

  /// Whether run i of this side and run i of `other` ran side by side in one bench (same
  /// bench, same pair, for every run), so their metrics can be compared pair by pair.
  public func isPaired(with other: CompareSide) -> Bool {
    benchPairs.count >= 2 && benchPairs.count == other.benchPairs.count
      && zip(benchPairs, other.benchPairs).allSatisfy { x, y in x != nil && x == y }
  }

  /// Whether the side has at least two repeats to test.
  public var hasRepeats: Bool { repeatSelf.count >= 2 }

  /// Mean over runs of a list, nil when empty.
  static func mean(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
  }

  /// Mean wall time per run.
  public var meanElapsed: Double? { Self.mean(elapsed) }
  /// Mean CPU time per run.
  public var meanCPU: Double? { Self.mean(cpu) }
  /// Parallelism of each run (CPU ÷ elapsed).
  public var parallelism: [Double] {
    guard elapsed.count == cpu.count else { return [] }
    return zip(cpu, elapsed).compactMap { c, e in e > 0 ? c / e : nil }
  }
  /// Total traced calls per run, nil when nothing was traced.
  public var callsPerRun: Double? {
    callStatistics.isEmpty
      ? nil : Double(callStatistics.values.reduce(Int64(0)) { $0.addingSaturating($1.calls) }) / Double(runs)
  }

  /// Self value of functions whose names `matches`, per run.
  public func selfPerRun(where matches: (String) -> Bool) -> Double {
    Double(times.selfValue.reduce(Int64(0)) { matches($1.key) ? $0 &+ $1.value : $0 }) / Double(runs)
  }

  /// Cum value of functions whose names `matches`, per run (the largest single function's
  /// cum when several match, since cum values of callers and callees overlap).
  public func cumPerRun(where matches: (String) -> Bool) -> Double {
    Double(times.cumValue.reduce(Int64(0)) { matches($1.key) ? max($0, $1.value) : $0 }) / Double(runs)
  }

  /// Total value per run (the denominator of shares).
  public var totalPerRun: Double { Double(times.total) / Double(runs) }
}

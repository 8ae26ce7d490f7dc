import ProfileModel

/// One function of the heatmap: the seed's Count, CPU Time, Avg, Max and P95.
///
/// For a sampled session `count` is the number of samples whose leaf is the function and
/// `avg`/`max`/`p95` are nil: sampling cannot tell calls apart, so nothing is invented.
public struct HeatmapRow: Sendable, Equatable {
  public var name: String
  /// Exact calls (traced) or samples (sampled): see `Heatmap.isExact`.
  public var count: Int64
  /// Sum of self time in nanoseconds.
  public var cpuNanos: Int64
  public var avgNanos: Int64?
  public var maxNanos: Int64?
  public var p95Nanos: Int64?

  public init(name: String, count: Int64, cpuNanos: Int64, avgNanos: Int64? = nil, maxNanos: Int64? = nil, p95Nanos: Int64? = nil) {
    self.name = name
    self.count = count
    self.cpuNanos = cpuNanos
    self.avgNanos = avgNanos
    self.maxNanos = maxNanos
    self.p95Nanos = p95Nanos
  }
}

/// Orders of the heatmap rows (`--sort`).
public enum HeatmapSort: String, Sendable, CaseIterable {
  case cpu, calls, avg, max, p95
}

/// The per-function table behind every heatmap mode, from traced call statistics when the
/// session has them, else from the CPU samples' self time.
public struct Heatmap: Sendable, Equatable {
  /// Every function with self time (or calls), in the requested order.
  public var rows: [HeatmapRow]
  /// True when rows come from traced calls (exact Count, Avg, Max, P95).
  public var isExact: Bool
  /// True when a traced session probed entries only: counts exact, times unknown.
  public var countsOnly: Bool
  /// Sum of `cpuNanos` over all rows.
  public var totalCPUNanos: Int64
  /// Total traced calls; nil for a sampled session.
  public var totalCalls: Int64?

  /// Builds the table. `filter` applies to sampled data as for `top`; traced rows are
  /// filtered by name with its focus/ignore matchers.
  public init(profile: Profile, sort: HeatmapSort = .cpu, filter: ProfileFilter = .none) throws(AnalysisError) {
    if !profile.callStatistics.isEmpty {
      self.init(traced: profile, sort: sort, filter: filter)
    } else {
      try self.init(sampled: profile, sort: sort, filter: filter)
    }
  }

  private init(traced profile: Profile, sort: HeatmapSort, filter: ProfileFilter) {
    var rows: [HeatmapRow] = []
    var onlyCounts = true
    var calls: Int64 = 0
    for (function, stats) in profile.callStatistics {
      let name = profile.name(of: function)
      if let focus = filter.focus, !focus.matches(name) { continue }
      if let ignore = filter.ignore, ignore.matches(name) { continue }
      if stats.hasDurations { onlyCounts = false }
      calls &+= stats.calls
      rows.append(
        HeatmapRow(
          name: name, count: stats.calls, cpuNanos: stats.hasDurations ? stats.selfNanos : 0,
          avgNanos: stats.averageSelfNanos, maxNanos: stats.hasDurations ? stats.maxSelfNanos : nil,
          p95Nanos: stats.hasDurations ? stats.p95SelfNanos : nil))
    }
    self.rows = Heatmap.sorted(rows, by: sort)
    isExact = true
    countsOnly = onlyCounts
    totalCPUNanos = rows.reduce(0) { $0 &+ $1.cpuNanos }
    totalCalls = calls
  }

  private init(sampled profile: Profile, sort: HeatmapSort, filter: ProfileFilter) throws(AnalysisError) {
    guard let cpuColumn = Heatmap.timeColumn(of: profile) else {
      throw .unknownSampleType("cpu", available: profile.sampleTypes.map(\.type))
    }
    let cpu = try CallGraph(profile: profile, options: GraphOptions(valueIndex: cpuColumn, filter: filter), withEdges: false)
    var samplesByName: [String: Int64] = [:]
    if let countColumn = profile.sampleTypes.firstIndex(where: { $0.unit == "count" }) {
      let counts = try CallGraph(
        profile: profile, options: GraphOptions(valueIndex: countColumn, filter: filter), withEdges: false)
      for node in counts.nodes where node.flat != 0 { samplesByName[node.info.printableName, default: 0] += node.flat }
    }
    let period = profile.period > 0 ? profile.period : 0
    var rows: [HeatmapRow] = []
    for node in cpu.nodes where node.flat != 0 {
      let name = node.info.printableName
      // Without a count column, a sample is one period of the profile's clock.
      let count = samplesByName[name] ?? (period > 0 ? node.flat / period : 0)
      rows.append(HeatmapRow(name: name, count: count, cpuNanos: node.flat))
    }
    self.rows = Heatmap.sorted(rows, by: sort)
    isExact = false
    countsOnly = false
    totalCPUNanos = rows.reduce(0) { $0 &+ $1.cpuNanos }
    totalCalls = nil
  }

  /// The value column measured in time: `cpu/nanoseconds` by preference, else any nanoseconds column.
  public static func timeColumn(of profile: Profile) -> Int? {
    if let i = profile.sampleTypes.firstIndex(where: { $0.type == "cpu" && $0.unit == "nanoseconds" }) { return i }
    return profile.sampleTypes.firstIndex { $0.unit == "nanoseconds" }
  }

  static func sorted(_ rows: [HeatmapRow], by sort: HeatmapSort) -> [HeatmapRow] {
    func key(_ r: HeatmapRow) -> Int64 {
      switch sort {
      case .cpu: return r.cpuNanos
      case .calls: return r.count
      case .avg: return r.avgNanos ?? -1
      case .max: return r.maxNanos ?? -1
      case .p95: return r.p95Nanos ?? -1
      }
    }
    return rows.sorted { a, b in
      let ka = key(a), kb = key(b)
      if ka != kb { return ka > kb }
      if a.cpuNanos != b.cpuNanos { return a.cpuNanos > b.cpuNanos }
      return a.name < b.name
    }
  }
}

import ProfileModel

/// Self and cumulative value per function name of one profile, in one pass over its
/// samples: the common ground on which profiles from different sources are compared.
public struct FunctionTimes: Sendable, Equatable {
  /// Self (flat) value per function name.
  public var selfValue: [String: Int64]
  /// Cumulative value per function name (counted once per sample through recursion).
  public var cumValue: [String: Int64]
  /// Total of the value column over all samples (the denominator of shares).
  public var total: Int64
  /// What the values measure (`cpu/nanoseconds`, or `samples/count` without a time column).
  public var valueType: ValueType
  /// Whether self values come from exact traced calls instead of samples.
  public var isExact: Bool

  /// Reads a profile: `column` when given (e.g. `inuse_space` of an allocation profile), else
  /// the time column (`cpu/nanoseconds` by preference) when there is one, else the default
  /// column. On the time column traced functions' exact self time wins over sampled self time.
  public init(profile: Profile, column requested: Int? = nil) throws(AnalysisError) {
    var selfValue: [String: Int64] = [:]
    var cumValue: [String: Int64] = [:]
    let timeColumn = Heatmap.timeColumn(of: profile)
    let column = requested ?? timeColumn ?? profile.defaultValueIndex
    var total: Int64 = 0
    var valueType = ValueType(type: "cpu", unit: "nanoseconds")
    if !profile.sampleTypes.isEmpty && profile.samples.count > 0 {
      let graph = try CallGraph(profile: profile, options: GraphOptions(valueIndex: column), withEdges: false)
      for node in graph.nodes {
        selfValue[node.info.name, default: 0] &+= node.flat
        cumValue[node.info.name, default: 0] &+= node.cum
      }
      total = graph.total
      valueType = graph.valueType
    }
    var exact = false
    if !profile.callStatistics.isEmpty, requested == nil || requested == timeColumn {
      exact = true
      var tracedSelf: [String: Int64] = [:]
      var tracedCum: [String: Int64] = [:]
      for (id, stats) in profile.callStatistics where stats.hasDurations {
        let name = profile.name(of: id)
        tracedSelf[name, default: 0] &+= stats.selfNanos
        tracedCum[name, default: 0] &+= stats.totalNanos
      }
      if !tracedSelf.isEmpty {
        selfValue.merge(tracedSelf) { _, traced in traced }
        cumValue.merge(tracedCum) { _, traced in traced }
        valueType = ValueType(type: "cpu", unit: "nanoseconds")
        if total == 0 { total = tracedSelf.values.reduce(0, &+) }
      }
    }
    self.selfValue = selfValue
    self.cumValue = cumValue
    self.total = total
    self.valueType = valueType
    self.isExact = exact
  }

  /// Makes times from plain values (tests, merged repeats).
  public init(
    selfValue: [String: Int64], cumValue: [String: Int64], total: Int64, valueType: ValueType, isExact: Bool = false
  ) {
    self.selfValue = selfValue
    self.cumValue = cumValue
    self.total = total
    self.valueType = valueType
    self.isExact = isExact
  }

  /// Whether the values are durations (nanoseconds) rather than counts.
  public var isTime: Bool { valueType.unit == "nanoseconds" }

  /// Exact call statistics per function name, for matching across sessions (several
  /// functions of one name are added up by `CallStatistics.merged`, the one merge rule).
  public static func callStatistics(of profile: Profile) -> [String: CallStatistics] {
    callStatistics(profile.callStatistics, namedIn: profile)
  }

  /// `statistics` (keyed by `profile`'s function ids, e.g. one repeat's) by function name.
  public static func callStatistics(
    _ statistics: [FunctionID: CallStatistics], namedIn profile: Profile
  ) -> [String: CallStatistics] {
    var parts: [String: [CallStatistics]] = [:]
    for (id, stats) in statistics.sorted(by: { $0.key < $1.key }) where profile.functions.indices.contains(id.index) {
      parts[profile.name(of: id), default: []].append(stats)
    }
    return parts.compactMapValues { CallStatistics.merged($0) }
  }
}

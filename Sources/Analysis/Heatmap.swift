import ProfileModel

/// One function of the heatmap: the seed's Count, CPU Time, Avg, Max and P95.
///
/// For a sampled session `count` is the number of samples whose leaf is the function and
/// `avg`/`max`/`p95` are nil: sampling cannot tell calls apart, so nothing is invented.
public struct HeatmapRow: Sendable, Equatable {
  /// What the row shows; `functions` is what it is.
  public var name: String
  /// The functions the row stands for (one for a traced row; a sampled row joins functions
  /// of one name), sorted: views select by these, never by turning the name into a pattern.
  public var functions: [FunctionID]
  /// Exact calls (traced) or samples (sampled): see `Heatmap.isExact`.
  public var count: Int64
  /// Sum of self time in nanoseconds.
  public var cpuNanos: Int64
  public var avgNanos: Int64?
  public var maxNanos: Int64?
  public var p95Nanos: Int64?
  /// The row's cost over the run's time (the sparkline); nil when the session has no times
  /// or the row none in them (see `Heatmap.timelineKind`).
  public var timeline: HeatmapRowTimeline?

  public init(
    name: String, functions: [FunctionID] = [], count: Int64, cpuNanos: Int64, avgNanos: Int64? = nil,
    maxNanos: Int64? = nil, p95Nanos: Int64? = nil
  ) {
    self.name = name
    self.functions = functions
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
  /// True when times are unknown: a traced session that probed entries only (counts exact),
  /// or a sampled session without a time column (`countType`).
  public var countsOnly: Bool
  /// Sum of `cpuNanos` over all rows.
  public var totalCPUNanos: Int64
  /// Total traced calls; nil for a sampled session.
  public var totalCalls: Int64?
  /// The clock traced times are measured with; nil for a sampled session.
  public var clock: CallClock?
  /// True when the traced times were measured with both clocks (so the legend can say which).
  public var hasBothClocks: Bool = false
  /// The probe cost taken out of each traced call (0 when raw or nothing was subtracted).
  public var probeCostNanos: Int64 = 0
  /// True when `--raw` asked for the numbers before the probe cost was taken out.
  public var isRaw: Bool = false
  /// True when traced calls were paired per goroutine (Go): times are the goroutines'.
  public var perGoroutine: Bool = false
  /// For a sampled session, the time column the rows show when it is not `cpu`: `wall` or
  /// `offcpu` of a `run --off-cpu` session (`heatmap --clock wall|offcpu`); nil for CPU time.
  public var sampledClock: String?
  /// For a sampled session without any time column (folded stacks, a count-only pprof): the
  /// sample type Count shows (`samples/count`); times are unknown, so `countsOnly` is true.
  public var countType: String?
  /// What the rows' `timeline` (the sparkline) shows.
  public var timelineKind: HeatmapTimelineKind = .unavailable(reason: "no sample times")

  /// The name of the time column: CPU Time, Wall Time or Off-CPU Time.
  public var timeTitle: String {
    switch sampledClock {
    case "wall": return "Wall Time"
    case "offcpu": return "Off-CPU Time"
    default: return "CPU Time"
    }
  }

  /// Builds the table. `filter` applies to sampled data as for `top`; traced rows are
  /// filtered by name with its focus/ignore matchers. Traced times are `clock` times, with
  /// the probe cost taken out unless `raw`.
  /// A sampled session's rows show `sampleIndex`'s self time (`wall` or `offcpu` of an
  /// off-CPU session; default the CPU time column).
  public init(
    profile: Profile, sort: HeatmapSort = .cpu, filter: ProfileFilter = .none, clock: CallClock = .cpu,
    raw: Bool = false,
    sampleIndex: String? = nil
  ) throws(AnalysisError) {
    if !profile.callStatistics.isEmpty {
      self.init(traced: profile, sort: sort, filter: filter, clock: clock, raw: raw)
    } else {
      try self.init(sampled: profile, sort: sort, filter: filter, sampleIndex: sampleIndex)
    }
  }

  private init(traced profile: Profile, sort: HeatmapSort, filter: ProfileFilter, clock: CallClock, raw: Bool) {
    var rows: [HeatmapRow] = []
    var onlyCounts = true
    var calls: Int64 = 0
    var shownClock: CallClock?
    var both = false
    var cost: Int64 = 0
    for (function, measured) in profile.callStatistics {
      let stats = measured.viewed(clock, raw: raw)
      if measured.hasDurations {
        shownClock = shownClock ?? stats.clock
        both = both || measured.hasWall
        cost = max(cost, stats.probeCostNanos)
        perGoroutine = perGoroutine || measured.perGoroutine
      }
      let name = profile.name(of: function)
      if let focus = filter.focus, !focus.matches(name) { continue }
      if let ignore = filter.ignore, ignore.matches(name) { continue }
      if stats.hasDurations { onlyCounts = false }
      calls &+= stats.calls
      rows.append(
        HeatmapRow(
          name: name, functions: [function], count: stats.calls, cpuNanos: stats.hasDurations ? stats.selfNanos : 0,
          avgNanos: stats.averageSelfNanos, maxNanos: stats.hasDurations ? stats.maxSelfNanos : nil,
          p95Nanos: stats.hasDurations ? stats.p95SelfNanos : nil))
    }
    if let log = profile.callEvents, !onlyCounts,
      let traced = Heatmap.tracedTimelines(
        log, clock: shownClock ?? clock,
        probeCost: { raw ? 0 : profile.callStatistics[$0]?.viewed(clock, raw: raw).probeCostNanos ?? 0 })
    {
      for i in rows.indices { rows[i].timeline = rows[i].functions.first.flatMap { traced.rows[$0] } }
      timelineKind = .tracedAveragePerCall(spanNanos: traced.span)
    } else if let timeline = profile.timeline {
      let byFunction = Heatmap.sampledTimelinesByFunction(profile, timeline)
      for i in rows.indices {
        rows[i].timeline = rows[i].functions.first.flatMap { byFunction[$0] }.map { HeatmapRowTimeline(selfNanos: $0) }
      }
      timelineKind = .sampledSelfTime(spanNanos: timeline.spanNanos, runs: timeline.runs)
    } else {
      timelineKind = .unavailable(reason: "no single calls or sample times were kept")
    }
    self.rows = Heatmap.sorted(rows, by: sort)
    isExact = true
    countsOnly = onlyCounts
    totalCPUNanos = rows.reduce(0) { $0 &+ $1.cpuNanos }
    totalCalls = calls
    self.clock = shownClock ?? clock
    hasBothClocks = both
    probeCostNanos = cost
    isRaw = raw
  }

  /// One pass over the samples sums self time and Count (the `samples/count` column, else one
  /// per sample record: never cpu ÷ period, which would only be an estimate) per stack node;
  /// one pass over the stack tree gives each to the innermost visible frame, after the
  /// filter's focus, ignore and hide, as `top` attributes flat.
  private init(sampled profile: Profile, sort: HeatmapSort, filter: ProfileFilter, sampleIndex: String?)
    throws(AnalysisError)
  {
    let asked = sampleIndex.flatMap { $0 == "cpu" ? nil : $0 }
    // Without a time column (and none asked for) Count is all there is: the `samples/count`
    // column, else the first column counted in `count` (alloc_objects, contentions); rows then
    // rank by it and show no times. A profile of bytes alone has no Count to show.
    let countOnlyColumn =
      asked == nil && Heatmap.timeColumn(of: profile) == nil
      ? Heatmap.countColumn(of: profile) ?? profile.sampleTypes.firstIndex { $0.unit == "count" } : nil
    guard
      let cpuColumn = countOnlyColumn ?? asked.map({ profile.sampleTypeIndex(named: $0) })
        ?? Heatmap.timeColumn(of: profile)
    else {
      throw .unknownSampleType(asked ?? "cpu", available: profile.sampleTypes.map(\.type))
    }
    let countColumn = countOnlyColumn ?? Heatmap.countColumn(of: profile)
    let masks = filter.isActive ? LocationFilterMasks(profile: profile, filter: filter) : nil
    let frames = FrameTable(profile: profile, granularity: .functions, lineVisible: masks?.lineVisible)
    let tree = profile.stacks
    var cpuOwn = [Int64](repeating: 0, count: tree.count)
    var countOwn = cpuOwn
    let samples = profile.samples
    for i in 0..<samples.count {
      let s = samples.stacks[i].index
      cpuOwn[s] &+= samples.value(i, cpuColumn)
      countOwn[s] &+= countColumn.map { samples.value(i, $0) } ?? 1
    }
    let kept = masks.map { StackWeights.keptNodes(tree: tree, masks: $0, hasFocus: filter.focus != nil) }
    var leaf = [Int32](repeating: -1, count: tree.count)
    var cpuFlat = [Int64](repeating: 0, count: frames.infos.count)
    var countFlat = cpuFlat
    for s in 1..<max(1, tree.count) {
      let loc = tree.locations[s].index
      let first = Int(frames.start[loc])
      let end = Int(frames.start[loc + 1])
      leaf[s] = first < end ? frames.nodes[first] : leaf[tree.parents[s].index]
      guard leaf[s] >= 0, kept?[s] ?? true else { continue }
      cpuFlat[Int(leaf[s])] &+= cpuOwn[s]
      countFlat[Int(leaf[s])] &+= countOwn[s]
    }
    // Sample times are of the CPU samples: other columns (wall, off-CPU, counts) have none.
    let cpuTimes = countOnlyColumn == nil && asked == nil && cpuColumn == profile.sampleTypeIndex(named: "cpu")
    let timelines =
      cpuTimes
      ? profile.timeline.map { Heatmap.sampledTimelines($0, tree: tree, leaf: leaf, kept: kept, cpuOwn: cpuOwn) } : nil
    var rows: [HeatmapRow] = []
    for node in frames.infos.indices where cpuFlat[node] != 0 {
      var row = HeatmapRow(
        name: frames.infos[node].printableName, functions: frames.functions[node], count: countFlat[node],
        cpuNanos: countOnlyColumn == nil ? cpuFlat[node] : 0)
      row.timeline = timelines?[Int32(node)].map { HeatmapRowTimeline(selfNanos: $0) }
      rows.append(row)
    }
    if let timeline = profile.timeline, timelines != nil {
      timelineKind = .sampledSelfTime(spanNanos: timeline.spanNanos, runs: timeline.runs)
    } else if profile.timeline != nil {
      timelineKind = .unavailable(reason: "sample times are kept for CPU time only")
    } else {
      timelineKind = .unavailable(reason: "the session has no sample times (a loaded file)")
    }
    self.rows = Heatmap.sorted(rows, by: countOnlyColumn != nil && sort == .cpu ? .calls : sort)
    isExact = false
    countsOnly = countOnlyColumn != nil
    totalCPUNanos = rows.reduce(0) { $0 &+ $1.cpuNanos }
    totalCalls = nil
    sampledClock = asked
    countType = countOnlyColumn.map { "\(profile.sampleTypes[$0].type)/\(profile.sampleTypes[$0].unit)" }
  }

  /// The column of sample counts: `samples/count` (else nil, and each sample record counts one).
  static func countColumn(of profile: Profile) -> Int? {
    profile.sampleTypes.firstIndex { $0.type == "samples" && $0.unit == "count" }
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
      let ka = key(a)
      let kb = key(b)
      if ka != kb { return ka > kb }
      if a.cpuNanos != b.cpuNanos { return a.cpuNanos > b.cpuNanos }
      return a.name < b.name
    }
  }
}

import ProfileModel

/// What a heatmap's sparklines show over the run's time, so every view's legend says it.
public enum HeatmapTimelineKind: Sendable, Equatable {
  /// Sampled self time per stretch of the run (`runs` > 1: runs of `run -n` overlaid on their
  /// own, normalized time; `spanNanos` is the mean run).
  case sampledSelfTime(spanNanos: Int64, runs: Int)
  /// Traced: average self time per call of the calls that began in each stretch (from the
  /// kept single calls), over `spanNanos` from the first call's start to the last return.
  case tracedAveragePerCall(spanNanos: Int64)
  /// No times of samples or calls (a loaded pprof or folded file, an off-CPU clock): a
  /// sparkline cannot show time, so it is one level (the bar's value) across.
  case unavailable(reason: String)
}

/// One row's cost over the run: `timelineSelf[b]` nanoseconds of self time in bucket `b` of
/// `SampleTimeline.bucketCount`, and for traced rows `timelineCalls[b]` calls that began there.
public struct HeatmapRowTimeline: Sendable, Equatable {
  /// Self time per bucket (nanoseconds).
  public var selfNanos: [Int64]
  /// Calls per bucket (traced rows); nil for sampled rows.
  public var calls: [Int64]?

  public init(selfNanos: [Int64], calls: [Int64]? = nil) {
    self.selfNanos = selfNanos
    self.calls = calls
  }

  /// The series a sparkline of `columns` columns draws: the buckets resampled to the columns
  /// without losing mass (each bucket shared among the columns it overlaps), then per column
  /// the self time (sampled) or self time ÷ calls (traced; nil where no call began). The one
  /// function the text, interactive, SVG and web heatmaps draw from.
  public func columns(_ count: Int) -> [Double?] {
    guard count > 0 else { return [] }
    let n = selfNanos.count
    let edges = (0...n).map(Double.init)
    let time = TimelineMath.resampled(selfNanos, sourceEdges: edges, targetCount: count, targetSpan: Double(n))
    guard let calls else { return time.map { $0 } }
    let callColumns = TimelineMath.resampled(calls, sourceEdges: edges, targetCount: count, targetSpan: Double(n))
    return zip(time, callColumns).map { t, c in c > 1e-9 ? t / c : nil }
  }
}

extension Heatmap {
  /// Per frame node, the sampled self time per bucket: each leaf location's timeline shared
  /// among the rows its samples' self time went to (after the filter), in proportion to
  /// that self time, so a row's buckets sum to its CPU Time. Without a filter every location
  /// goes whole to one row.
  static func sampledTimelines(
    _ timeline: SampleTimeline, tree: StackTree, leaf: [Int32], kept: [Bool]?, cpuOwn: [Int64]
  ) -> [Int32: [Int64]] {
    let byLocation = timeline.seriesByLocation()
    // (row, self time) per leaf location, from the samples as the heatmap attributed them.
    var shares: [LocationID: [Int32: Int64]] = [:]
    for s in 1..<max(1, tree.count) where cpuOwn[s] != 0 && leaf[s] >= 0 && (kept?[s] ?? true) {
      let location = tree.locations[s]
      guard byLocation[location] != nil else { continue }
      shares[location, default: [:]][leaf[s], default: 0] &+= cpuOwn[s]
    }
    var out: [Int32: [Int64]] = [:]
    for (location, series) in byLocation {
      guard let rows = shares[location] else { continue }
      let recorded = series.reduce(0, &+)
      guard recorded > 0 else { continue }
      for (row, weight) in rows.sorted(by: { $0.key < $1.key }) {
        // The row's share of this location, spread over the buckets as the location's time was.
        let parts = TimelineMath.split(weight, weights: series)
        var target = out[row] ?? [Int64](repeating: 0, count: SampleTimeline.bucketCount)
        for b in parts.indices { target[b] &+= parts[b] }
        out[row] = target
      }
    }
    return out
  }

  /// Per function, the sampled self time per bucket with each leaf location's time going to
  /// its innermost frame's function (a traced session's fallback when no single calls were kept).
  static func sampledTimelinesByFunction(_ profile: Profile, _ timeline: SampleTimeline) -> [FunctionID: [Int64]] {
    var out: [FunctionID: [Int64]] = [:]
    for (location, series) in timeline.seriesByLocation() where location.index < profile.locations.count {
      guard let function = profile.location(location).lines.first?.function else { continue }
      var target = out[function] ?? [Int64](repeating: 0, count: SampleTimeline.bucketCount)
      for b in series.indices { target[b] &+= series[b] }
      out[function] = target
    }
    return out
  }

  /// Per function, self time and calls per bucket from the kept single calls: a call's self
  /// time is its time (`clock`) minus that of the kept calls directly inside it on its thread;
  /// each call counts in the bucket where it began, less `probeCost(function)` per call.
  static func tracedTimelines(
    _ log: CallEventLog, clock: CallClock, probeCost: (FunctionID) -> Int64
  ) -> (span: Int64, rows: [FunctionID: HeatmapRowTimeline])? {
    let events = log.events
    guard let first = events.map(\.startNanos).min(), let last = events.map(\.endNanos).max() else { return nil }
    // Times of a loaded trace may be anything: differences in real numbers cannot overflow.
    let spanReal = max(1, Double(last) - Double(first))
    let span = spanReal >= 9.2e18 ? Int64.max : Int64(spanReal)
    let n = SampleTimeline.bucketCount
    func own(_ e: CallEvent) -> Int64 { clock == .cpu ? e.cpuNanos ?? e.wallNanos : e.wallNanos }
    // Per thread, calls by start (outer before inner at equal starts); an open-call stack
    // finds each call's direct parent.
    let order = events.indices.sorted { a, b in
      let x = events[a]
      let y = events[b]
      if x.process != y.process { return x.process < y.process }
      if x.thread != y.thread { return x.thread < y.thread }
      if x.startNanos != y.startNanos { return x.startNanos < y.startNanos }
      return x.wallNanos > y.wallNanos
    }
    var childTime = [Int64](repeating: 0, count: events.count)
    var open: [Int] = []
    var thread: (Int64, Int64)?
    for i in order {
      let e = events[i]
      if thread.map({ $0 != (e.process, e.thread) }) ?? true {
        open.removeAll(keepingCapacity: true)
        thread = (e.process, e.thread)
      }
      while let top = open.last, events[top].endNanos <= e.startNanos { open.removeLast() }
      if let top = open.last, e.endNanos <= events[top].endNanos { childTime[top] &+= own(e) }
      open.append(i)
    }
    var rows: [FunctionID: HeatmapRowTimeline] = [:]
    for (i, e) in events.enumerated() {
      let bucket = min(n - 1, max(0, Int((Double(e.startNanos) - Double(first)) / spanReal * Double(n))))
      let selfTime = max(0, own(e) &- childTime[i] &- probeCost(e.function))
      var row =
        rows[e.function]
        ?? HeatmapRowTimeline(selfNanos: [Int64](repeating: 0, count: n), calls: [Int64](repeating: 0, count: n))
      row.selfNanos[bucket] &+= selfTime
      row.calls?[bucket] &+= 1
      rows[e.function] = row
    }
    return (span, rows)
  }
}

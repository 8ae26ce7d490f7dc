/// Traced calls have one home, `Profile.callStatistics`. Samples carry a projection of it
/// (one one-frame sample per traced function with its Count and self time in `calls/count`
/// and `self/nanoseconds` columns, the shape Atmos-style pprof files have), written only by
/// `setCallStatistics` and checked against it by `validate()`.
extension Profile {
  /// The value columns the projection of traced calls uses, in this order.
  public static let callStatisticsValueTypes = [
    ValueType(type: "calls", unit: "count"), ValueType(type: "self", unit: "nanoseconds"),
  ]

  /// The `calls/count` and `self/nanoseconds` columns, when the profile has both.
  public var callStatisticsColumns: (calls: Int, selfNanos: Int)? {
    let types = Profile.callStatisticsValueTypes
    guard let calls = sampleTypes.lastIndex(of: types[0]), let selfNanos = sampleTypes.lastIndex(of: types[1]) else {
      return nil
    }
    return (calls, selfNanos)
  }

  /// Makes `statistics` the traced calls and rewrites their projection into samples: the
  /// columns are added when missing (other samples get zeros, the default column stays),
  /// earlier carrier samples are dropped, and every traced function gets one carrier with its
  /// Count and self time (0 without durations).
  public mutating func setCallStatistics(_ statistics: [FunctionID: CallStatistics]) {
    if callStatisticsColumns == nil { appendZeroColumns(Profile.callStatisticsValueTypes) }
    guard let columns = callStatisticsColumns else { return }
    let traced = Set(callStatistics.keys).union(statistics.keys)
    var kept = SampleTable(width: samples.width)
    kept.reserveCapacity(samples.count + statistics.count)
    for i in 0..<samples.count
    where carriedFunction(ofSample: i, columns: columns).map({ !traced.contains($0) }) ?? true {
      kept.append(stack: samples.stacks[i], values: samples.values(of: i), labels: samples.labelSets[i])
    }
    var plainLocation: [FunctionID: LocationID] = [:]
    for (i, l) in locations.enumerated() where l.address == 0 && l.mapping == nil && !l.isFolded && l.lines.count == 1 {
      let line = l.lines[0]
      if line.line == 0 && line.column == 0 && plainLocation[line.function] == nil {
        plainLocation[line.function] = LocationID(i)
      }
    }
    var values = [Int64](repeating: 0, count: samples.width)
    for (id, stats) in statistics.sorted(by: { $0.key < $1.key }) {
      let location: LocationID
      if let existing = plainLocation[id] {
        location = existing
      } else {
        location = LocationID(locations.count)
        locations.append(Location(lines: [Line(function: id)]))
      }
      values[columns.calls] = stats.calls
      values[columns.selfNanos] = stats.hasDurations ? stats.selfNanos : 0
      kept.append(stack: stacks.child(of: .root, location: location), values: values)
    }
    samples = kept
    callStatistics = statistics
  }

  /// The function a sample carries traced calls for: a one-frame sample with Count, and zero
  /// in every column but the projection's. Nil for any other sample.
  func carriedFunction(ofSample i: Int, columns: (calls: Int, selfNanos: Int)) -> FunctionID? {
    let stack = samples.stacks[i]
    guard stack.index > 0, stack.index < stacks.count, stacks.depth(of: stack) == 1,
      samples.value(i, columns.calls) != 0
    else { return nil }
    for c in 0..<samples.width where c != columns.calls && c != columns.selfNanos && samples.value(i, c) != 0 {
      return nil
    }
    let location = stacks.location(of: stack)
    guard location.index >= 0, location.index < locations.count, let line = locations[location.index].lines.last else {
      return nil
    }
    return line.function
  }

  /// Appends value columns holding zeros to every sample, keeping stacks, labels and the
  /// column reports use by default.
  public mutating func appendZeroColumns(_ types: [ValueType]) {
    let keptDefault = defaultValueIndex
    let old = samples
    var table = SampleTable(width: old.width + types.count)
    table.reserveCapacity(old.count + 64)
    let zeros = [Int64](repeating: 0, count: types.count)
    for i in 0..<old.count {
      table.append(stack: old.stacks[i], values: Array(old.values(of: i)) + zeros, labels: old.labelSets[i])
    }
    samples = table
    let hadTypes = !sampleTypes.isEmpty
    sampleTypes += types
    if hadTypes { defaultSampleType = keptDefault }
  }

  /// Why traced calls and what carries them disagree, or nil: every key is a function, the
  /// counts are not negative, repeats sum to the session's Count, and the carrier samples
  /// add up to each function's Count and self time.
  func callStatisticsProblem() -> ProfileError? {
    guard !callStatistics.isEmpty || repeats.contains(where: { !$0.callStatistics.isEmpty }) else { return nil }
    func check(_ stats: [FunctionID: CallStatistics], _ what: String) -> ProfileError? {
      for (id, s) in stats {
        if id.raw < 0 || id.index >= functions.count {
          return .badCallStatistics(reason: "\(what) name function \(id.index), which does not exist")
        }
        if s.calls < 0 || s.unmatchedEntries < 0 || s.selfNanos < 0 || s.totalNanos < 0 || s.maxSelfNanos < 0 {
          return .badCallStatistics(reason: "\(what) of function \(id.index) have negative counts or times")
        }
      }
      return nil
    }
    if let problem = check(callStatistics, "call statistics") { return problem }
    for (n, r) in repeats.enumerated() {
      if let problem = check(r.callStatistics, "call statistics of repeat \(n + 1)") { return problem }
    }
    if repeats.count >= 2 {
      var sums: [FunctionID: Int64] = [:]
      for r in repeats {
        for (id, s) in r.callStatistics { sums[id, default: 0] = sums[id, default: 0].addingSaturating(s.calls) }
      }
      for (id, s) in callStatistics where (sums[id] ?? 0) != s.calls {
        return .badCallStatistics(
          reason: "function \(id.index) has \(s.calls) calls but its repeats add up to \(sums[id] ?? 0)")
      }
      if let extra = sums.keys.first(where: { callStatistics[$0] == nil }) {
        return .badCallStatistics(reason: "a repeat traced function \(extra.index), which the session did not")
      }
    }
    guard let columns = callStatisticsColumns else { return nil }
    var calls: [FunctionID: Int64] = [:]
    var selfNanos: [FunctionID: Int64] = [:]
    for i in 0..<samples.count {
      guard let id = carriedFunction(ofSample: i, columns: columns), callStatistics[id] != nil else { continue }
      calls[id, default: 0] = calls[id, default: 0].addingSaturating(samples.value(i, columns.calls))
      selfNanos[id, default: 0] = selfNanos[id, default: 0].addingSaturating(samples.value(i, columns.selfNanos))
    }
    for (id, s) in callStatistics {
      if (calls[id] ?? 0) != s.calls {
        return .badCallStatistics(
          reason: "function \(id.index) has \(s.calls) calls but its samples carry \(calls[id] ?? 0)")
      }
      if s.hasDurations && (selfNanos[id] ?? 0) != s.selfNanos {
        return .badCallStatistics(
          reason: "function \(id.index) has \(s.selfNanos)ns self time but its samples carry \(selfNanos[id] ?? 0)ns")
      }
    }
    return nil
  }
}

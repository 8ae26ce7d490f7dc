import Analysis
import ProfileModel

/// One metric's value in every run of a session (one value without repeats), which is
/// what the rank test of `compare(A, B).metric … significant` needs.
struct AssertSeries {
  var values: [Double]
  var kind: AssertMeasurement.Kind
  /// For self / cum: the per-run mean as a fraction of the per-run total.
  var share: Double?

  var mean: Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

  init(metric m: AssertMetric, side: CompareSide) throws(ShellError) {
    let who = side.label
    switch m.kind {
    case .elapsed:
      guard !side.elapsed.isEmpty else {
        throw .assertUnavailable("\(who) has no elapsed time (it was not run by perfsh)")
      }
      values = side.elapsed
      kind = .time
    case .cpu:
      guard !side.cpu.isEmpty else { throw .assertUnavailable("\(who) has no CPU time") }
      values = side.cpu
      kind = .time
    case .parallelism:
      guard !side.parallelism.isEmpty else {
        throw .assertUnavailable("\(who) has no parallelism (needs elapsed and CPU time)")
      }
      values = side.parallelism
      kind = .ratio
    case .samples:
      values = [Double(side.samples) / Double(side.runs)]
      kind = .count
    case .self, .cum:
      let names = try Self.matching(m, in: Set(side.times.selfValue.keys).union(side.times.cumValue.keys), side: side)
      let isSelf = m.kind == .self
      let perRun = isSelf ? side.selfPerRun(where: names.contains) : side.cumPerRun(where: names.contains)
      if side.hasRepeats {
        let maps = isSelf ? side.repeatSelf : side.repeatCum
        values = maps.map { run in
          isSelf
            ? Double(names.reduce(Int64(0)) { $0 &+ (run[$1] ?? 0) })
            : Double(names.reduce(Int64(0)) { max($0, run[$1] ?? 0) })
        }
      } else {
        values = [perRun]
      }
      kind = side.times.isTime ? .time : .count
      share = side.totalPerRun > 0 ? perRun / side.totalPerRun : nil
    case .calls, .avg, .max, .p95, .wall:
      guard !side.callStatistics.isEmpty else {
        throw .assertUnavailable(
          "\(m.kind.rawValue)() needs exact call counts, but \(who) was sampled: capture it with run --trace PATTERN")
      }
      let names = try Self.matching(m, in: Set(side.callStatistics.keys), side: side)
      let runs: [[String: CallStatistics]] = side.repeatCalls.count >= 2 ? side.repeatCalls : [side.callStatistics]
      let divisor = side.repeatCalls.count >= 2 ? 1.0 : Double(side.runs)
      var list: [Double] = []
      for run in runs {
        let stats = names.compactMap { run[$0] }
        let calls = stats.reduce(Int64(0)) { $0.addingSaturating($1.calls) }
        switch m.kind {
        case .calls:
          list.append(Double(calls) / divisor)
        case .avg:
          guard stats.allSatisfy(\.hasDurations), calls > 0 else { throw Self.noDurations(m, who) }
          list.append(Double(stats.reduce(Int64(0)) { $0.addingSaturating($1.selfNanos) }) / Double(calls))
        case .wall:
          let walls = stats.compactMap(\.wall)
          guard stats.allSatisfy(\.hasDurations), walls.count == stats.count, calls > 0 else {
            throw .assertUnavailable(
              "\(m.text): \(who) has no wall-clock times per call (traced by an older perfsh, or entries only)")
          }
          list.append(Double(walls.reduce(Int64(0)) { $0.addingSaturating($1.selfNanos) }) / Double(calls))
        case .max:
          guard stats.allSatisfy(\.hasDurations) else { throw Self.noDurations(m, who) }
          list.append(Double(stats.map(\.maxSelfNanos).max() ?? 0))
        default:
          let p95s = stats.compactMap(\.p95SelfNanos)
          guard !p95s.isEmpty else { throw Self.noDurations(m, who) }
          list.append(Double(p95s.max() ?? 0))
        }
      }
      values = list
      kind = m.kind == .calls ? .count : .time
    }
  }

  private static func noDurations(_ m: AssertMetric, _ who: String) -> ShellError {
    .assertUnavailable("\(m.text): \(who) has no per-call durations for it (only entries were traced)")
  }

  /// Names equal to the pattern, else names the pattern (a regular expression) matches.
  private static func matching(_ m: AssertMetric, in names: Set<String>, side: CompareSide) throws(ShellError) -> Set<
    String
  > {
    let pattern = m.pattern ?? ""
    if names.contains(pattern) { return [pattern] }
    let matcher: NameMatcher
    do {
      matcher = try NameMatcher(pattern, option: m.kind.rawValue)
    } catch {
      throw .assertUnavailable("\(error.description)")
    }
    let found = Set(names.filter { matcher.matches($0) })
    if found.isEmpty {
      let what = m.kind.needsTrace ? "traced function" : "function"
      throw .assertUnavailable("no \(what) matches '\(pattern)' in \(side.label)")
    }
    return found
  }
}

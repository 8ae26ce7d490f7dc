/// The one rule for adding up calls of one function that were measured apart: the runs of
/// `run -n N`, two probe sites that resolve to one function, or functions of one name
/// matched across sessions. Percentiles of separate sets of calls cannot be added, so P95 is
/// the upper median of the parts' P95s (the typical part; for two parts, the larger).
extension CallStatistics {
  /// `parts` added up: counts and sums add (saturating), Max is the largest, P95 the upper
  /// median of the parts' P95s, in the main fields and in every other clock view (a view
  /// survives only when every part has it). Clock and probe cost are the first part's.
  /// Nil when `parts` is empty.
  public static func merged(_ parts: some Collection<CallStatistics>) -> CallStatistics? {
    guard var m = parts.first else { return nil }
    guard parts.count > 1 else { return m }
    m.calls = parts.reduce(0) { $0.addingSaturating($1.calls) }
    m.unmatchedEntries = parts.reduce(0) { $0.addingSaturating($1.unmatchedEntries) }
    m.hasDurations = parts.allSatisfy(\.hasDurations)
    if let main = CallTimes.merged(parts.map { Optional($0.times) }) {
      m.selfNanos = main.selfNanos
      m.totalNanos = main.totalNanos
      m.maxSelfNanos = main.maxSelfNanos
      m.p95SelfNanos = main.p95SelfNanos
    }
    m.wall = CallTimes.merged(parts.map(\.wall))
    m.rawCPU = CallTimes.merged(parts.map(\.rawCPU))
    m.rawWall = CallTimes.merged(parts.map(\.rawWall))
    m.perGoroutine = parts.contains(where: \.perGoroutine)
    return m
  }
}

extension CallTimes {
  /// One clock's times of `parts` added up by the rule of `CallStatistics.merged`; nil when
  /// `parts` is empty or any part lacks this clock.
  public static func merged(_ parts: [CallTimes?]) -> CallTimes? {
    var present: [CallTimes] = []
    present.reserveCapacity(parts.count)
    for part in parts {
      guard let part else { return nil }
      present.append(part)
    }
    guard let first = present.first else { return nil }
    guard present.count > 1 else { return first }
    let p95s = present.compactMap(\.p95SelfNanos).sorted()
    return CallTimes(
      selfNanos: present.reduce(0) { $0.addingSaturating($1.selfNanos) },
      totalNanos: present.reduce(0) { $0.addingSaturating($1.totalNanos) },
      maxSelfNanos: present.map(\.maxSelfNanos).max() ?? 0,
      p95SelfNanos: p95s.isEmpty ? nil : p95s[p95s.count / 2])
  }
}

import ProfileModel

/// `export pprof` of Go traced statistics: the samples that carry a function's `calls/count`
/// and `self/nanoseconds` get the label `calls_paired: per goroutine` when its calls were
/// paired per goroutine (CPU time is the goroutine's time on threads), so `go tool pprof -tags`
/// and `-tagfocus` tell those numbers apart; perfsh's own field keeps the flag for `load`.
enum PprofGoroutineLabel {
  /// The label's key and value.
  static let key = "calls_paired"
  static let value = "per goroutine"

  /// `profile` with the label on the carrying samples of per-goroutine functions (unchanged
  /// when there are none).
  static func labeled(_ profile: Profile) -> Profile {
    let goroutine = Set(profile.callStatistics.filter { $0.value.perGoroutine }.keys)
    guard !goroutine.isEmpty, let calls = profile.sampleTypeIndex(named: "calls") else { return profile }
    var p = profile
    let label = Label(key: p.strings.intern(key), string: p.strings.intern(value))
    var samples = SampleTable(width: p.samples.width)
    samples.reserveCapacity(p.samples.count)
    for i in 0..<p.samples.count {
      var labels = p.samples.labelSets[i]
      let stack = p.samples.stacks[i]
      if p.samples.value(i, calls) != 0, stack != .root, p.stacks.parent(of: stack) == .root,
        let f = p.location(p.stacks.location(of: stack)).lines.first?.function, goroutine.contains(f)
      {
        labels = p.labelSets.intern(p.labelSets[labels] + [label])
      }
      samples.append(stack: stack, values: p.samples.values(of: i), labels: labels)
    }
    p.samples = samples
    return p
  }
}

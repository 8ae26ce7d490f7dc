import ProfileModel

/// What one session brings to `compare`: its label, its profile as stored and the sample
/// count the shell shows for it. The shell's command and the web view both start here.
public struct CompareInput: Sendable {
  /// Shown in headers, e.g. `[1] ratio`.
  public var label: String
  public var profile: Profile
  public var samples: Int64

  public init(label: String, profile: Profile, samples: Int64) {
    self.label = label
    self.profile = profile
    self.samples = samples
  }
}

extension CompareSide {
  /// Both sides of `compare`, as the shell's command and the web view build them: names and
  /// hidden time as `view` shows them over both profiles at once (one function has one name
  /// on each side), traced times in `clock`, `sampleIndex` naming the value compared.
  public static func pair(
    _ a: CompareInput, _ b: CompareInput, view: ProfileView = ProfileView(), clock: CallClock = .cpu,
    sampleIndex: String? = nil
  ) throws(AnalysisError) -> (CompareSide, CompareSide) {
    let shown = view.apply(toAll: [a.profile, b.profile])
    return (
      try CompareSide(a, viewedAs: shown[0], clock: clock, sampleIndex: sampleIndex),
      try CompareSide(b, viewedAs: shown[1], clock: clock, sampleIndex: sampleIndex)
    )
  }

  /// One side of `input`, from `profile` (a view of its profile; default the profile itself)
  /// with traced times in `clock` and `sampleIndex`'s column compared.
  public init(
    _ input: CompareInput, viewedAs profile: Profile? = nil, clock: CallClock = .cpu, sampleIndex: String? = nil
  ) throws(AnalysisError) {
    let viewed = (profile ?? input.profile).viewingCalls(in: clock, raw: false)
    let column = try sampleIndex.map { (name) throws(AnalysisError) in try viewed.valueIndex(for: name) }
    try self.init(label: input.label, profile: viewed, samples: input.samples, column: column)
  }
}

extension Profile {
  /// This profile with its traced numbers in `clock` (probe cost kept when `raw`),
  /// re-projected into the samples that carry them. Unchanged when nothing was traced.
  public func viewingCalls(in clock: CallClock, raw: Bool) -> Profile {
    guard !callStatistics.isEmpty, clock != .cpu || raw else { return self }
    var p = self
    p.setCallStatistics(callStatistics.mapValues { $0.viewed(clock, raw: raw) })
    return p
  }
}

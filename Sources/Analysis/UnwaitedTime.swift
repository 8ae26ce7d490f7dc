import ProfileModel

/// The off-CPU time of a `run --off-cpu` session that nobody on the critical threads waited
/// for: rows labelled `critical=no` by the capture (idle pool workers, helpers nobody joined).
/// Views hide it unless `--all-threads` (or `set allthreads on`) asks for every thread.
public enum UnwaitedTime {
  /// The label capture puts on such rows (Capture's `CriticalThreads.labelKey`/`labelValue`).
  public static let labelKey = "critical"
  public static let labelValue = "no"

  /// True when `profile` has rows of unwaited off-CPU time.
  public static func isPresent(in profile: Profile) -> Bool {
    guard let key = profile.strings.lookup(labelKey), let value = profile.strings.lookup(labelValue) else {
      return false
    }
    return profile.labelSets.sets.contains { set in set.contains { $0.key == key && $0.string == value } }
  }

  /// Whether label set `labels` marks unwaited time, given the interned key and value.
  static func marks(_ labels: some Collection<Label>, key: StringID?, value: StringID?) -> Bool {
    guard let key, let value else { return false }
    return labels.contains { $0.key == key && $0.string == value }
  }

  /// `profile` without its unwaited off-CPU rows (unchanged when it has none).
  public static func hidden(from profile: Profile) -> Profile {
    guard let key = profile.strings.lookup(labelKey), let value = profile.strings.lookup(labelValue) else {
      return profile
    }
    let drop = profile.labelSets.sets.map { marks($0, key: key, value: value) }
    guard drop.contains(true) else { return profile }
    var p = profile
    var samples = SampleTable(width: profile.samples.width)
    for i in 0..<profile.samples.count where !drop[profile.samples.labelSets[i].index] {
      samples.append(
        stack: profile.samples.stacks[i], values: profile.samples.values(of: i), labels: profile.samples.labelSets[i])
    }
    p.samples = samples
    return p
  }
}

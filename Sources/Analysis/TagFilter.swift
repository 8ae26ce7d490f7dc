import ProfileModel

/// pprof's `-tagfocus` / `-tagignore` expression over sample labels (`pid`, `tid`,
/// `thread` in perfsh's captures): `KEY=REGEX` tests that label, a bare `REGEX` any label.
/// String values match anywhere (as pprof does); numbers must match whole, so `pid=12`
/// does not take pid 123.
public struct TagFilter: Sendable {
  /// The label key tested, or nil for every key.
  public let key: String?
  /// The expression over the value.
  public let value: NameMatcher
  /// The same expression anchored, for numeric values.
  private let whole: NameMatcher

  /// Parses `KEY=REGEX` or `REGEX`; `option` names the flag in errors.
  public init(_ expression: String, option: String) throws(AnalysisError) {
    var key: String?
    var pattern = Substring(expression)
    if let eq = expression.firstIndex(of: "="),
      expression[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }),
      eq != expression.startIndex
    {
      key = String(expression[..<eq])
      pattern = expression[expression.index(after: eq)...]
    }
    self.key = key
    value = try NameMatcher(String(pattern), option: option)
    whole = try NameMatcher("^(?:" + pattern + ")$", option: option)
  }

  /// True when some label of `labels` (with the key, if one was given) matches.
  public func matches(_ labels: some Collection<Label>, strings: StringTable) -> Bool {
    for label in labels {
      if let key, strings[label.key] != key { continue }
      if label.string != .empty {
        if value.matches(strings[label.string]) { return true }
      } else if whole.matches(String(label.number)) {
        return true
      }
    }
    return false
  }

  /// `profile` with only the samples `focus` keeps and `ignore` does not drop.
  public static func apply(focus: TagFilter?, ignore: TagFilter?, to profile: Profile) -> Profile {
    if focus == nil && ignore == nil { return profile }
    var keep: [Bool] = []
    keep.reserveCapacity(profile.labelSets.count)
    for set in 0..<profile.labelSets.count {
      let labels = profile.labelSets[LabelSetID(set)]
      let focused = focus?.matches(labels, strings: profile.strings) ?? true
      let ignored = ignore?.matches(labels, strings: profile.strings) ?? false
      keep.append(focused && !ignored)
    }
    var p = profile
    var samples = SampleTable(width: profile.samples.width)
    for i in 0..<profile.samples.count where keep[profile.samples.labelSets[i].index] {
      samples.append(
        stack: profile.samples.stacks[i], values: profile.samples.values(of: i), labels: profile.samples.labelSets[i])
    }
    p.samples = samples
    return p
  }
}

/// pprof's `-tags` report: for every label key, the total weight of each of its values.
public struct TagReport: Sendable, Equatable {
  /// One label key and its values, heaviest first.
  public struct Key: Sendable, Equatable {
    /// The label key (`pid`, `thread`, …).
    public var name: String
    /// Sum of the weights of samples that carry the key.
    public var total: Int64
    /// Each value (numbers in decimal) with its weight, heaviest first, then by value.
    public var values: [(value: String, weight: Int64)]

    public static func == (a: Key, b: Key) -> Bool {
      a.name == b.name && a.total == b.total
        && a.values.elementsEqual(b.values) { $0.value == $1.value && $0.weight == $1.weight }
    }
  }

  /// Keys in name order.
  public var keys: [Key]
  /// Sum over all samples of the chosen column.
  public var total: Int64

  /// The report over column `valueIndex` (nil: the default column).
  public init(profile: Profile, valueIndex: Int? = nil) throws(AnalysisError) {
    let column = try profile.valueIndex(checked: valueIndex)
    var bySet = [Int64](repeating: 0, count: profile.labelSets.count)
    var total: Int64 = 0
    for i in 0..<profile.samples.count {
      let v = profile.samples.value(i, column)
      bySet[profile.samples.labelSets[i].index] &+= v
      total &+= v
    }
    var weights: [String: [String: Int64]] = [:]
    for (set, weight) in bySet.enumerated() where weight != 0 {
      for label in profile.labelSets[LabelSetID(set)] {
        let key = profile.strings[label.key]
        let value = label.string != .empty ? profile.strings[label.string] : String(label.number)
        weights[key, default: [:]][value, default: 0] &+= weight
      }
    }
    keys = weights.keys.sorted().map { name in
      let values = (weights[name] ?? [:]).map { (value: $0.key, weight: $0.value) }
        .sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.value < $1.value }
      return Key(name: name, total: values.reduce(0) { $0 &+ $1.weight }, values: values)
    }
    self.total = total
  }
}

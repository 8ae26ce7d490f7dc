/// Why a profile is not internally consistent.
public enum ProfileError: Error, Equatable, Sendable, CustomStringConvertible {
  case valueCountMismatch(sample: Int, values: Int, types: Int)
  case badStringID(what: String, id: Int)
  case badFunctionID(location: Int, id: Int)
  case badMappingID(location: Int, id: Int)
  case badLocationID(stackNode: Int, id: Int)
  case badStackID(sample: Int, id: Int)
  case badLabelSet(sample: Int, id: Int)
  case noSampleTypes(samples: Int)
  /// The |values| of one sample type add up to 2^62 or more (see `ValueLimit`).
  case valuesPastLimit(sampleType: ValueType)
  /// Traced calls disagree with themselves, their repeats or the samples that carry them.
  case badCallStatistics(reason: String)

  public var description: String {
    switch self {
    case .valueCountMismatch(let s, let v, let t): return "sample \(s) has \(v) values for \(t) sample types"
    case .badStringID(let what, let id): return "\(what) refers to string \(id), which does not exist"
    case .badFunctionID(let l, let id): return "location \(l) refers to function \(id), which does not exist"
    case .badMappingID(let l, let id): return "location \(l) refers to mapping \(id), which does not exist"
    case .badLocationID(let n, let id): return "stack node \(n) refers to location \(id), which does not exist"
    case .badStackID(let s, let id): return "sample \(s) refers to stack \(id), which does not exist"
    case .badLabelSet(let s, let id): return "sample \(s) refers to label set \(id), which does not exist"
    case .noSampleTypes(let n): return "profile has \(n) samples but no sample types"
    case .valuesPastLimit(let t):
      return "sample values of \(t) add up to \(ValueLimit.columnMagnitudeText) or more: not a valid profile"
    case .badCallStatistics(let reason): return reason
    }
  }
}

extension Profile {
  /// Checks every cross-reference, so analysis can index tables without checks, and the
  /// value rule of `ValueLimit`, so analysis can add values without overflow, and that
  /// traced calls agree with their repeats and carrier samples.
  public func validate() throws(ProfileError) {
    if sampleTypes.isEmpty && samples.count > 0 { throw .noSampleTypes(samples: samples.count) }
    let nStrings = strings.count
    func checkString(_ id: StringID, _ what: @autoclosure () -> String) throws(ProfileError) {
      if id.raw < 0 || id.index >= nStrings { throw .badStringID(what: what(), id: id.index) }
    }
    for (i, f) in functions.enumerated() {
      try checkString(f.name, "function \(i) name")
      try checkString(f.systemName, "function \(i) system name")
      try checkString(f.filename, "function \(i) file name")
    }
    for (i, m) in mappings.enumerated() {
      try checkString(m.filename, "mapping \(i) file name")
      try checkString(m.buildID, "mapping \(i) build id")
    }
    for (i, l) in locations.enumerated() {
      if let m = l.mapping, m.raw < 0 || m.index >= mappings.count { throw .badMappingID(location: i, id: m.index) }
      for line in l.lines where line.function.raw < 0 || line.function.index >= functions.count {
        throw .badFunctionID(location: i, id: line.function.index)
      }
    }
    for n in 1..<stacks.count {
      let loc = stacks.locations[n]
      if loc.raw < 0 || loc.index >= locations.count { throw .badLocationID(stackNode: n, id: loc.index) }
    }
    if samples.width != sampleTypes.count {
      throw .valueCountMismatch(sample: 0, values: samples.width, types: sampleTypes.count)
    }
    for i in 0..<samples.count {
      let s = samples.stacks[i]
      if s.raw < 0 || s.index >= stacks.count { throw .badStackID(sample: i, id: s.index) }
      let ls = samples.labelSets[i]
      if ls.raw < 0 || ls.index >= labelSets.count { throw .badLabelSet(sample: i, id: ls.index) }
    }
    if let t = sampleTypePastValueLimit() { throw .valuesPastLimit(sampleType: t) }
    for set in labelSets.sets {
      for label in set {
        try checkString(label.key, "label key")
        try checkString(label.string, "label value")
        try checkString(label.numberUnit, "label unit")
      }
    }
    if let problem = callStatisticsProblem() { throw problem }
  }
}

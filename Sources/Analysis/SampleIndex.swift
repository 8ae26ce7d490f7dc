import ProfileModel

extension Profile {
  /// The value column named or numbered by `selector` (pprof's `sample_index`): a sample type
  /// name such as `cpu`, or a zero-based index; nil gives `defaultValueIndex`.
  public func valueIndex(for selector: String?) throws(AnalysisError) -> Int {
    guard !sampleTypes.isEmpty else { throw .noSampleTypes }
    guard let selector, !selector.isEmpty else { return defaultValueIndex }
    if let named = sampleTypeIndex(named: selector) { return named }
    if let number = Int(selector) {
      guard sampleTypes.indices.contains(number) else {
        throw .sampleIndexOutOfRange(number, count: sampleTypes.count)
      }
      return number
    }
    throw .unknownSampleType(selector, available: sampleTypes.map(\.type))
  }

  /// The value column of an explicit index (checked) or, for nil, the default one.
  public func valueIndex(checked index: Int?) throws(AnalysisError) -> Int {
    guard let index else { return try valueIndex(for: nil) }
    guard sampleTypes.indices.contains(index) else { throw .sampleIndexOutOfRange(index, count: sampleTypes.count) }
    return index
  }
}

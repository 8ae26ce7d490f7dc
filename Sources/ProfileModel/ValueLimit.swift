/// The model's rule for sample values: per sample type, the sum of |value| over all samples
/// stays below 2^62.
///
/// Any sum of a subset of one column then fits in `Int64` with room to spare, so analysis adds
/// values with plain arithmetic, and two sessions (compare, `run -n` merges) still add up
/// without overflow. Negative values stay allowed: pprof difference profiles have them.
/// Sources apply the rule where values enter (file decoders, merges); `Profile.validate()`
/// checks it too.
public enum ValueLimit {
  /// Sums of |value| per sample type must stay below this: 2^62.
  public static let columnMagnitude: UInt64 = 1 << 62

  /// How `columnMagnitude` is written in messages.
  public static let columnMagnitudeText = "2^62"

  /// A running sum of |value| that reports when it reaches `columnMagnitude`.
  public struct Sum: Sendable, Equatable {
    /// The sum so far; never above `columnMagnitude` + 2^63, so it cannot overflow.
    public private(set) var magnitude: UInt64 = 0

    public init() {}

    /// Adds |value|; false once the sum has reached the limit (`Int64.min` counts as 2^63).
    public mutating func add(_ value: Int64) -> Bool {
      if magnitude >= ValueLimit.columnMagnitude { return false }
      magnitude += value.magnitude
      return magnitude < ValueLimit.columnMagnitude
    }
  }

  /// The first column of `values` (samples stored row by row, `width` values each) whose
  /// |values| sum to `columnMagnitude` or more; nil when every column is within the rule.
  public static func firstColumnPastLimit(_ values: [Int64], width: Int) -> Int? {
    guard width > 0 else { return nil }
    var sums = [Sum](repeating: Sum(), count: width)
    var past: Int?
    values.withUnsafeBufferPointer { v in
      for column in 0..<width {
        var i = column
        while i < v.count {
          guard sums[column].add(v[i]) else {
            past = past ?? column
            break
          }
          i += width
        }
        if past != nil { break }
      }
    }
    return past
  }

  /// The first column of `table` whose |values| sum to `columnMagnitude` or more; nil when
  /// every column is within the rule.
  public static func firstColumnPastLimit(_ table: SampleTable) -> Int? {
    for column in 0..<table.width {
      var sum = Sum()
      var within = true
      table.forEachValue(column: column) { v in if within { within = sum.add(v) } }
      if !within { return column }
    }
    return nil
  }
}

extension Profile {
  /// The first sample type whose |values| sum to 2^62 or more (see `ValueLimit`), or nil.
  public func sampleTypePastValueLimit() -> ValueType? {
    guard let column = ValueLimit.firstColumnPastLimit(samples),
      sampleTypes.indices.contains(column)
    else { return nil }
    return sampleTypes[column]
  }
}

/// Arithmetic that holds at the ends of `Int64` instead of trapping, for the few places that
/// combine numbers from different sources (merged runs, two sessions) or come from `Double`.
extension Int64 {
  /// `value` rounded by `rule` (default: to nearest), held at `Int64.min` / `Int64.max` when out
  /// of range, 0 for NaN. `Int64(someDouble)` traps for |value| ≥ 2^63; this does not.
  public init(clampingRounded value: Double, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) {
    if value.isNaN {
      self = 0
    } else if value >= 0x1p63 {
      self = .max
    } else if value < -0x1p63 {
      self = .min
    } else {
      self = Int64(value.rounded(rule))
    }
  }

  /// `self + other`, held at `Int64.max` / `Int64.min` instead of overflowing.
  public func addingSaturating(_ other: Int64) -> Int64 {
    let (sum, overflow) = addingReportingOverflow(other)
    guard overflow else { return sum }
    return other > 0 ? .max : .min
  }
}

import Foundation

/// Durations as perfsh prints them in prose and tables: `54.16ms`, `686µs`, `6.233ms`, `1.2s`.
///
/// Four significant digits at most, trailing zeros dropped, and the unit chosen per value so
/// the number is at least 1 (ns, µs, ms, s). Values from a minute up stay in seconds.
public enum DurationFormat {
  private static let units: [(name: String, factor: Double)] = [("ns", 1), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]

  /// `nanoseconds` formatted, e.g. `54164125` → `54.16ms`; 0 → `0s`.
  public static func string(nanoseconds: Int64) -> String {
    if nanoseconds == 0 { return "0s" }
    let sign = nanoseconds < 0 ? "-" : ""
    let magnitude = Double(nanoseconds.magnitude)
    var u = 0
    while u + 1 < units.count && magnitude >= units[u + 1].factor { u += 1 }
    while true {
      let x = magnitude / units[u].factor
      let text = significant(x, digits: 4)
      // 999.96µs rounds to 1000µs: show it as 1ms instead.
      if u + 1 < units.count, let v = Double(text), v >= 1000 {
        u += 1
        continue
      }
      return sign + text + units[u].name
    }
  }

  /// `x` with at most `digits` significant digits (integer digits are never cut), trailing
  /// zeros and a trailing point removed.
  static func significant(_ x: Double, digits: Int) -> String {
    var intDigits = 1
    var p = 10.0
    while x >= p && intDigits < 18 {
      intDigits += 1
      p *= 10
    }
    let decimals = max(0, digits - intDigits)
    var s = String(format: "%.\(decimals)f", x)
    if s.contains(".") {
      while s.hasSuffix("0") { s.removeLast() }
      if s.hasSuffix(".") { s.removeLast() }
    }
    return s
  }
}

/// Counts in prose lines with thousands grouped: `5,980`, `447,586` (never in exports).
public enum CountFormat {
  /// `n` with a comma every three digits.
  public static func grouped(_ n: Int64) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
  }

  /// `grouped(n)` for Int.
  public static func grouped(_ n: Int) -> String { grouped(Int64(n)) }
}

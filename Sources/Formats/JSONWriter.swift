import ProfileModel

/// Builds JSON text piece by piece for the exports that write it (speedscope, Chrome trace):
/// string escaping and exact decimal numbers in one place, no Foundation.
struct JSONWriter {
  /// The text so far.
  private(set) var text = ""

  init(reservingCapacity n: Int = 0) { text.reserveCapacity(n) }

  /// Appends raw JSON punctuation or a literal the caller has already formed.
  mutating func raw(_ s: String) { text += s }

  /// Appends `s` as a JSON string literal (quotes, backslashes and control characters escaped).
  mutating func string(_ s: String) { JSONStringLiteral.append(s, to: &text) }

  /// Appends an integer.
  mutating func number(_ n: Int64) { text += String(n) }

  /// Appends `nanos` as microseconds with up to three decimals, exactly (1234 → `1.234`,
  /// 5000 → `5`), as the Chrome trace format's `ts` and `dur` take them.
  mutating func microseconds(fromNanos nanos: Int64) {
    let negative = nanos < 0
    let magnitude = nanos.magnitude
    let whole = magnitude / 1000
    let fraction = magnitude % 1000
    if negative { text += "-" }
    text += String(whole)
    guard fraction != 0 else { return }
    var digits = String(fraction)
    digits = String(repeating: "0", count: 3 - digits.count) + digits
    while digits.hasSuffix("0") { digits.removeLast() }
    text += "." + digits
  }

  /// Appends `"key":` (the key escaped).
  mutating func key(_ k: String) {
    string(k)
    text += ":"
  }
}

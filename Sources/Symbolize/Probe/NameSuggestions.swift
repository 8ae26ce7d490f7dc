/// Close names for a pattern that matched nothing: by edit distance between the pattern's
/// literal text (regex characters removed) and each name, case-insensitively.
public enum NameSuggestions {
  /// Up to `count` names closest to `pattern`, best first; names containing the literal
  /// text rank first.
  public static func closest(to pattern: String, in names: [String], count: Int = 5) -> [String] {
    let literal = Array(
      pattern.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" || $0 == "." })
    guard !literal.isEmpty else { return [] }
    var scored: [(Int, String)] = []
    var seen = Set<String>()
    for name in names where seen.insert(name).inserted {
      let lower = Array(name.lowercased())
      if lower.count > literal.count * 3 + 8 { continue }  // far too long to be a typo
      let d = lower.contains(literal) ? 0 : distance(literal, lower)
      if d <= max(2, literal.count / 2) { scored.append((d, name)) }
    }
    scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    return scored.prefix(count).map(\.1)
  }

  /// Levenshtein distance with two rows.
  static func distance(_ a: [Character], _ b: [Character]) -> Int {
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...max(1, b.count) where !b.isEmpty {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      }
      if b.isEmpty { current[0] = i }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}

extension Array where Element == Character {
  fileprivate func contains(_ other: [Character]) -> Bool {
    guard other.count <= count else { return false }
    if other.isEmpty { return true }
    for start in 0...(count - other.count) where self[start] == other[0] {
      if Array(self[start..<(start + other.count)]) == other { return true }
    }
    return false
  }
}

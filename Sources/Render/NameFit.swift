/// Shortening of long function names to a column width, keeping what identifies them.
public enum NameFit {
  /// `name` fitted into `width` columns: cut in the middle with `…`, keeping the start and
  /// the last component (after the last `.`, `::` or `/` outside brackets), so
  /// `std::vector<int>::push_back` stays recognisable as `…::push_back`.
  public static func fit(_ name: String, width: Int) -> String {
    let chars = Array(name)
    if chars.count <= width { return name }
    if width <= 1 { return width == 1 ? "…" : "" }
    let last = lastComponent(chars)
    if last.count + 2 <= width {
      let headCount = width - last.count - 1
      return String(chars.prefix(headCount)) + "…" + String(last)
    }
    return "…" + String(last.suffix(width - 1))
  }

  /// The trailing component of a qualified name, ignoring separators inside (), <> and [].
  static func lastComponent(_ chars: [Character]) -> ArraySlice<Character> {
    var depth = 0
    var i = chars.count - 1
    // Skip a trailing argument list like `(int, char const*)` so the component is the method.
    var end = chars.count
    if chars.last == ")" {
      var d = 0
      var j = chars.count - 1
      while j >= 0 {
        if chars[j] == ")" { d += 1 } else if chars[j] == "(" {
          d -= 1
          if d == 0 { break }
        }
        j -= 1
      }
      if j > 0 { end = j }
      i = end - 1
    }
    while i >= 0 {
      let c = chars[i]
      if c == ")" || c == ">" || c == "]" { depth += 1 } else if c == "(" || c == "<" || c == "[" { depth -= 1 } else if depth == 0 && (c == "." || c == "/" || (c == ":" && i > 0 && chars[i - 1] == ":")) {
        return chars[(c == ":" ? i - 1 : i)..<chars.count]
      }
      i -= 1
    }
    return chars[0..<chars.count]
  }
}

/// Shortening of long function names to a column width, keeping what identifies them.
public enum NameFit {
  /// `name` fitted into `width` columns: cut in the middle with `…`, keeping the start and
  /// the last component (after the last `.`, `::` or `/` outside brackets), so
  /// `std::vector<int>::push_back(int)` stays recognisable as `std::v…::push_back(int)`;
  /// when even that is too long the argument list becomes `(…)`.
  public static func fit(_ name: String, width: Int) -> String {
    let chars = Array(name)
    if chars.count <= width { return name }
    if width <= 1 { return width == 1 ? "…" : "" }
    let (component, arguments) = lastComponent(chars)
    let full = component + arguments
    if full.count + 2 <= width {
      return String(chars.prefix(width - full.count - 1)) + "…" + String(full)
    }
    let short = arguments.isEmpty ? component : component + Array("(…)")
    if short.count + 2 <= width {
      return String(chars.prefix(width - short.count - 1)) + "…" + String(short)
    }
    if component.count + 1 <= width { return "…" + String(component) }
    return "…" + String(component.suffix(width - 1))
  }

  /// Every name fitted into `width` columns so that different names never look identical:
  /// where `fit` makes two alike, they keep their ends instead, and if that is not enough a
  /// `#N` marker (the row's order among them) ends each.
  public static func fitAll(_ names: [String], width: Int) -> [String] {
    var fitted = names.map { fit($0, width: width) }
    func collisions() -> [String: Set<String>] {
      var byFitted: [String: Set<String>] = [:]
      for (i, f) in fitted.enumerated() { byFitted[f, default: []].insert(names[i]) }
      return byFitted.filter { $0.value.count > 1 }
    }
    var clashing = collisions()
    if clashing.isEmpty || width < 4 { return fitted }
    for i in fitted.indices where clashing[fitted[i]] != nil {
      let chars = Array(names[i])
      fitted[i] = chars.count <= width ? names[i] : "…" + String(chars.suffix(width - 1))
    }
    clashing = collisions()
    var seen: [String: [String]] = [:]
    for i in fitted.indices where clashing[fitted[i]] != nil {
      let key = fitted[i]
      var order = seen[key, default: []]
      if !order.contains(names[i]) { order.append(names[i]) }
      seen[key] = order
      let marker = "#\(order.firstIndex(of: names[i]).map { $0 + 1 } ?? 1)"
      let chars = Array(key)
      fitted[i] =
        chars.count + marker.count <= width
        ? key + marker : String(chars.prefix(max(0, width - marker.count))) + marker
    }
    return fitted
  }

  /// The trailing component of a qualified name and its argument list (if any), ignoring
  /// separators inside (), <> and [].
  static func lastComponent(_ chars: [Character]) -> (component: [Character], arguments: [Character]) {
    var end = chars.count
    if chars.last == ")" {
      var depth = 0
      var j = chars.count - 1
      while j >= 0 {
        if chars[j] == ")" {
          depth += 1
        } else if chars[j] == "(" {
          depth -= 1
          if depth == 0 { break }
        }
        j -= 1
      }
      if j > 0 { end = j }
    }
    let arguments = Array(chars[end...])
    var depth = 0
    var i = end - 1
    while i >= 0 {
      let c = chars[i]
      if c == ")" || c == ">" || c == "]" {
        depth += 1
      } else if c == "(" || c == "<" || c == "[" {
        depth -= 1
      } else if depth == 0 && (c == "." || c == "/" || (c == ":" && i > 0 && chars[i - 1] == ":")) {
        return (Array(chars[(c == ":" ? i - 1 : i)..<end]), arguments)
      }
      i -= 1
    }
    return (Array(chars[0..<end]), arguments)
  }
}

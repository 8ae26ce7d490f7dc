import ProfileModel

/// A JSON value with ordered object keys, so endpoint output is stable enough for golden files.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (l: JSONValue, r: JSONValue) -> Bool { l.text == r.text }

  /// Compact JSON text; doubles with up to six significant decimals, never NaN or infinity.
  public var text: String {
    var out = ""
    write(to: &out)
    return out
  }

  /// JSON with one object key or array element per line, for golden files people read.
  public var pretty: String {
    var out = ""
    write(to: &out, indent: "")
    return out + "\n"
  }

  private func write(to out: inout String, indent: String? = nil) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .double(let d): out += JSONValue.number(d)
    case .string(let s): JSONValue.quote(s, to: &out)
    case .array(let items):
      guard !items.isEmpty else {
        out += "[]"
        return
      }
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        if let indent { out += "\n" + indent + "  " }
        item.write(to: &out, indent: indent.map { $0 + "  " })
      }
      if let indent { out += "\n" + indent }
      out += "]"
    case .object(let fields):
      guard !fields.isEmpty else {
        out += "{}"
        return
      }
      out += "{"
      for (i, (key, value)) in fields.enumerated() {
        if i > 0 { out += "," }
        if let indent { out += "\n" + indent + "  " }
        JSONValue.quote(key, to: &out)
        out += indent == nil ? ":" : ": "
        value.write(to: &out, indent: indent.map { $0 + "  " })
      }
      if let indent { out += "\n" + indent }
      out += "}"
    }
  }

  private static func number(_ d: Double) -> String {
    guard d.isFinite else { return "null" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    var s = String(format6(d))
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
  }

  /// Six decimals without Foundation's locale-dependent formatting.
  private static func format6(_ d: Double) -> String {
    let scaled = (abs(d) * 1_000_000).rounded()
    guard scaled < 9e18 else { return String(d) }
    let n = Int64(scaled)
    let whole = n / 1_000_000
    let frac = n % 1_000_000
    var f = String(frac)
    f = String(repeating: "0", count: 6 - f.count) + f
    return (d < 0 ? "-" : "") + "\(whole).\(f)"
  }

  /// Escapes `<` too, so JSON inlined in a page can never close a script element.
  private static func quote(_ s: String, to out: inout String) {
    JSONStringLiteral.append(s, to: &out, escapingLessThan: true)
  }
}

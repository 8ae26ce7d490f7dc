/// The one JSON string escaper of the project (Formats' exports, Render's heatmap export and
/// the web's JSON all write through it). It lives here, the lowest layer all of them import.
public enum JSONStringLiteral {
  /// Appends `s` quoted: `"` `\` and control characters escaped (`\n` `\r` `\t`, else
  /// `\u00XX`); with `escapingLessThan`, `<` too (`\u003c`), so JSON inlined in a page can
  /// never close a script element.
  public static func append(_ s: String, to out: inout String, escapingLessThan: Bool = false) {
    out += "\""
    var plain = true
    for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C || (escapingLessThan && b == 0x3C) {
      plain = false
      break
    }
    if plain {
      out += s
    } else {
      for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "<" where escapingLessThan: out += "\\u003c"
        default:
          if scalar.value < 0x20 {
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
          } else {
            out.unicodeScalars.append(scalar)
          }
        }
      }
    }
    out += "\""
  }

  /// `s` as a JSON string literal (see `append`).
  public static func quoted(_ s: String, escapingLessThan: Bool = false) -> String {
    var out = ""
    append(s, to: &out, escapingLessThan: escapingLessThan)
    return out
  }
}

/// Text from profiles (function and file names, source lines, command lines) made safe to show
/// on a terminal.
///
/// A name is data: it may hold ESC, BEL or other control characters that would retitle, clear or
/// reprogram the terminal (also with colour off). Every renderer passes such text through
/// `escapingControls` before writing it, so control characters appear as visible escapes:
/// `\n`, `\r`, `\t`, `\e` (ESC), `\a` (BEL), `\x00`…`\x1f` and `\x7f` for the rest of C0 and DEL,
/// and `\u{80}`…`\u{9f}` for the C1 controls (U+009B is a one-character CSI on some terminals).
public enum DisplayText {
  /// `text` with every control character replaced by its visible escape; unchanged (and not
  /// copied) when it has none. `keepingTabs` leaves tabs as they are (source text indents with them).
  public static func escapingControls(_ text: String, keepingTabs: Bool = false) -> String {
    func escaped(_ s: Unicode.Scalar) -> Bool { isControl(s) && !(keepingTabs && s == "\t") }
    guard text.unicodeScalars.contains(where: escaped) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      guard escaped(scalar) else {
        out.append(scalar)
        continue
      }
      out.append(contentsOf: escape(scalar).unicodeScalars)
    }
    return String(out)
  }

  /// True for C0 controls, DEL and C1 controls.
  @inline(__always) public static func isControl(_ s: Unicode.Scalar) -> Bool {
    s.value < 0x20 || (s.value >= 0x7F && s.value <= 0x9F)
  }

  /// The visible form of one control character.
  static func escape(_ s: Unicode.Scalar) -> String {
    switch s.value {
    case 0x0A: return "\\n"
    case 0x0D: return "\\r"
    case 0x09: return "\\t"
    case 0x1B: return "\\e"
    case 0x07: return "\\a"
    case 0x80...0x9F: return "\\u{" + String(s.value, radix: 16) + "}"
    default:
      let hex = String(s.value, radix: 16)
      return "\\x" + (hex.count < 2 ? "0" : "") + hex
    }
  }
}

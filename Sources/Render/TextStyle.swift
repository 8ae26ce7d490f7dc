/// How a renderer may decorate text: colour on or off, and the width it may use.
///
/// The shell decides (terminal, `NO_COLOR`, `--color`); renderers never look themselves.
public struct RenderOptions: Sendable {
  /// Emit ANSI colour codes.
  public var color: Bool
  /// Columns available; nil means unlimited (names are never cut, as pprof prints them).
  public var width: Int?

  /// Options; plain text at any width by default.
  public init(color: Bool = false, width: Int? = nil) {
    self.color = color
    self.width = width
  }

  /// Plain text at any width.
  public static let plain = RenderOptions()
}

/// The ANSI styles renderers use.
public enum TextStyle: String, Sendable {
  case bold = "1"
  case dim = "2"
  case red = "31"
  case green = "32"
  case yellow = "33"
  case cyan = "36"

  /// `text` wrapped in this style's codes when `enabled`, else unchanged.
  public func apply(_ text: String, enabled: Bool) -> String {
    enabled ? "\u{1B}[\(rawValue)m\(text)\u{1B}[0m" : text
  }
}

/// Text padding and cutting with Go's `%Ns` meaning of width (Unicode scalars, not bytes).
enum Pad {
  /// Right-aligned in `width` columns, as `%10s`.
  static func left(_ s: String, _ width: Int) -> String {
    let n = s.unicodeScalars.count
    return n >= width ? s : String(repeating: " ", count: width - n) + s
  }

  /// `s` cut to `width` columns with a trailing `…` when longer.
  static func cut(_ s: String, _ width: Int) -> String {
    let scalars = s.unicodeScalars
    guard width > 0 else { return "" }
    if scalars.count <= width { return s }
    var out = String.UnicodeScalarView()
    out.append(contentsOf: scalars.prefix(width - 1))
    return String(out) + "…"
  }

  /// The style for a row carrying `share` of the total: red from 10 %, yellow from 1 %.
  static func heat(_ value: Int64, of total: Int64) -> TextStyle? {
    guard total != 0 else { return nil }
    let share = abs(Double(value) / Double(total))
    if share >= 0.10 { return .red }
    if share >= 0.01 { return .yellow }
    return nil
  }
}

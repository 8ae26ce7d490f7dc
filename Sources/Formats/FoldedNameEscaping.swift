/// Percent escapes for frame names in folded stacks, so no name can forge a frame, a line or a count.
///
/// Folded text gives `;`, line breaks, trailing whitespace and a leading `#` a meaning, so a name
/// holding them would split into frames or lines on reload. When (and only when) some name needs
/// it, the writer starts the file with `header` and writes each such byte as `%XX` (upper-case hex):
/// `;`, every control byte (0x00–0x1F, 0x7F), a space at either end of a name, a `#` first in a
/// name, and a `%` that is followed by two hex digits (or is the whole name). An empty name is
/// written as a lone `%`. The reader decodes `%XX` only in files that start with `header`, so
/// foreign files (Go's `yaml%2ev3` symbols) read exactly as before. See docs/folded-stacks.md.
public enum FoldedNameEscaping {
  /// First line of a file whose frame names are percent-escaped; a comment to every other reader.
  public static let header = "# perfsh folded stacks: frame names are percent-escaped (%XX)"

  /// How an empty name is written (a `%` alone can come from no other name).
  static let emptyName = "%"

  /// True when `name` must be escaped to survive a round trip (a `%` alone never forces it:
  /// without the header nothing is decoded).
  public static func needsEscaping(_ name: String) -> Bool {
    if name.isEmpty { return true }
    let bytes = Array(name.utf8)
    for i in bytes.indices where bytes[i] != UInt8(ascii: "%") && mustEscape(bytes, i) { return true }
    return false
  }

  /// `name` with every byte that has a meaning in folded text written as `%XX`.
  public static func escape(_ name: String) -> String {
    if name.isEmpty { return emptyName }
    let bytes = Array(name.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + 8)
    for i in bytes.indices {
      let b = bytes[i]
      if mustEscape(bytes, i) {
        out.append(UInt8(ascii: "%"))
        out.append(hexDigit(b >> 4))
        out.append(hexDigit(b & 0xF))
      } else {
        out.append(b)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The name written as `frame` by `escape`: `%XX` becomes its byte, a lone `%` the empty name,
  /// and any other `%` stays itself.
  public static func unescape(_ frame: UnsafeRawBufferPointer) -> String {
    if frame.count == 1 && frame[0] == UInt8(ascii: "%") { return "" }
    guard frame.contains(UInt8(ascii: "%")) else { return String(decoding: frame, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(frame.count)
    var i = 0
    while i < frame.count {
      let b = frame[i]
      if b == UInt8(ascii: "%"), i + 2 < frame.count, let hi = hexValue(frame[i + 1]), let lo = hexValue(frame[i + 2]) {
        out.append(hi << 4 | lo)
        i += 3
      } else {
        out.append(b)
        i += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  private static func mustEscape(_ bytes: [UInt8], _ i: Int) -> Bool {
    let b = bytes[i]
    switch b {
    case 0x00..<0x20, 0x7F, UInt8(ascii: ";"): return true
    case UInt8(ascii: " "): return i == 0 || i == bytes.count - 1
    case UInt8(ascii: "#"): return i == 0
    case UInt8(ascii: "%"):
      if bytes.count == 1 { return true }
      return i + 2 < bytes.count && hexValue(bytes[i + 1]) != nil && hexValue(bytes[i + 2]) != nil
    default: return false
    }
  }

  private static func hexDigit(_ v: UInt8) -> UInt8 {
    v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "A") + v - 10
  }

  private static func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
    default: return nil
    }
  }
}

/// Reads the history file libedit writes (`_HiStOrY_V2_`, then one `strvis`-encoded entry
/// per line), in perfsh rather than with libedit's H_LOAD, which opens the path itself: a
/// FIFO there would block it, a link to /dev/zero would grow without end, and a file with
/// CRLF line ends would be rejected whole. Reading goes through `TextFile` (regular files,
/// 16 MiB cap) and lines split at "\n" with an optional "\r".
enum HistoryFile {
  /// The first line libedit writes.
  static let cookie = "_HiStOrY_V2_"

  /// The entries of the history file at `path`, oldest first.
  static func read(_ path: String) throws(ShellError) -> [String] {
    var lines = TextLines.split(try TextFile.read(path))
    if lines.first == cookie { lines.removeFirst() }
    return lines.filter { !$0.isEmpty }.map(unvis)
  }

  /// Undoes `strvis(VIS_WHITE)`: `\ooo` octal bytes, `\\`, `\^X` control, `\M-x` and `\M^X`
  /// meta forms, and the C-style letters; anything else is kept as written.
  static func unvis(_ line: String) -> String {
    let bytes = Array(line.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = 0
    func octal(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "7") }
    func control(_ b: UInt8) -> UInt8 { b == UInt8(ascii: "?") ? 0x7f : b & 0x1f }
    while i < bytes.count {
      let b = bytes[i]
      guard b == UInt8(ascii: "\\"), i + 1 < bytes.count else {
        out.append(b)
        i += 1
        continue
      }
      let next = bytes[i + 1]
      if octal(next) {
        var value = 0
        var j = i + 1
        while j < bytes.count, j < i + 4, octal(bytes[j]) {
          value = value * 8 + Int(bytes[j] - UInt8(ascii: "0"))
          j += 1
        }
        out.append(UInt8(truncatingIfNeeded: value))
        i = j
      } else if next == UInt8(ascii: "^"), i + 2 < bytes.count {
        out.append(control(bytes[i + 2]))
        i += 3
      } else if next == UInt8(ascii: "M"), i + 3 < bytes.count, bytes[i + 2] == UInt8(ascii: "-") {
        out.append(bytes[i + 3] | 0x80)
        i += 4
      } else if next == UInt8(ascii: "M"), i + 3 < bytes.count, bytes[i + 2] == UInt8(ascii: "^") {
        out.append(control(bytes[i + 3]) | 0x80)
        i += 4
      } else if let plain = cStyle[next] {
        out.append(plain)
        i += 2
      } else {
        out.append(b)
        i += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// `\n`, `\t`, … and `\\` as `vis` writes them in C style.
  private static let cStyle: [UInt8: UInt8] = [
    UInt8(ascii: "\\"): UInt8(ascii: "\\"), UInt8(ascii: "n"): 10, UInt8(ascii: "t"): 9, UInt8(ascii: "r"): 13,
    UInt8(ascii: "b"): 8, UInt8(ascii: "a"): 7, UInt8(ascii: "v"): 11, UInt8(ascii: "f"): 12,
    UInt8(ascii: "s"): 32, UInt8(ascii: "E"): 27,
  ]
}

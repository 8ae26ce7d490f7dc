/// A JIT symbol map as written to `/tmp/perf-PID.map` (e.g. by `node --perf-basic-prof`):
/// one `START SIZE NAME` line per code blob, START and SIZE in hex, NAME may contain spaces.
///
/// Pure: takes the text. Malformed lines are skipped; for overlapping entries the one
/// written last wins, as JITs rewrite code in place.
public struct PerfMap: Sendable {
  /// One code blob: `[start, start + size)` named `name`.
  public struct Entry: Equatable, Sendable {
    /// First address of the blob.
    public var start: UInt64
    /// Length of the blob in bytes.
    public var size: UInt64
    /// The name the JIT gave it.
    public var name: String
  }

  /// Entries sorted by start address.
  public private(set) var entries: [Entry] = []

  /// Parses perf-map text.
  public init(parsing text: String) {
    var parsed: [(entry: Entry, order: Int)] = []
    // Split the UTF-8 at "\n": as Characters, "\r\n" is one that "\n" never matches, so a
    // map written with CRLF would be one line. A "\r" left at the end is trimmed below.
    let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
    for (order, bytes) in lines.enumerated() {
      let line = String(decoding: bytes, as: UTF8.self)
      let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
      guard fields.count == 3, let start = PerfMap.hex(fields[0]), let size = PerfMap.hex(fields[1]), size > 0 else {
        continue
      }
      var name = fields[2]
      while name.last == "\r" || name.last == " " { name = name.dropLast() }
      guard !name.isEmpty else { continue }
      parsed.append((Entry(start: start, size: size, name: String(name)), order))
    }
    parsed.sort { $0.entry.start != $1.entry.start ? $0.entry.start < $1.entry.start : $0.order > $1.order }
    var result: [Entry] = []
    for p in parsed where result.last?.start != p.entry.start { result.append(p.entry) }
    entries = result
  }

  private static func hex(_ s: Substring) -> UInt64? {
    UInt64(s.hasPrefix("0x") || s.hasPrefix("0X") ? s.dropFirst(2) : s, radix: 16)
  }

  /// The entry whose range contains `address`.
  public func entry(containing address: UInt64) -> Entry? {
    let lo = entries.upperBound(of: address) { $0.start }
    var i = lo - 1
    while i >= 0, i >= lo - 4 {
      let e = entries[i]
      if address - e.start < e.size { return e }
      i -= 1
    }
    return nil
  }
}

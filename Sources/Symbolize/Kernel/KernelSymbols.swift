/// Kernel text symbols parsed from the text of `/proc/kallsyms` (`ADDR TYPE NAME [MODULE]`).
///
/// Pure: takes the text. When the kernel hides addresses (`kptr_restrict`), every address
/// reads as zero and the table is empty, so kernel frames keep a generic name.
public struct KernelSymbols: Sendable {
  /// A kernel symbol's start address and name (`name [module]` for module symbols).
  public struct Symbol: Equatable, Sendable {
    /// Start address.
    public var address: UInt64
    /// Symbol name, with ` [module]` for module symbols.
    public var name: String
  }

  /// Text symbols sorted by address.
  public private(set) var symbols: [Symbol] = []

  /// Parses kallsyms text, keeping text (t/T) and weak (w/W) symbols with non-zero addresses.
  public init(parsing text: String) {
    var result: [Symbol] = []
    var text = text
    text.withUTF8 { bytes in
      var lineStart = 0
      let n = bytes.count
      while lineStart < n {
        var lineEnd = lineStart
        while lineEnd < n, bytes[lineEnd] != 10 { lineEnd += 1 }
        if let s = KernelSymbols.parseLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])) {
          result.append(s)
        }
        lineStart = lineEnd + 1
      }
    }
    result.sort { $0.address < $1.address }
    symbols = result
  }

  private static func parseLine(_ line: UnsafeBufferPointer<UInt8>) -> Symbol? {
    var i = 0
    var address: UInt64 = 0
    var digits = 0
    while i < line.count, let d = hexValue(line[i]) {
      address = address &<< 4 | UInt64(d)
      i += 1
      digits += 1
    }
    guard digits > 0, address != 0, i + 3 < line.count, line[i] == 32 else { return nil }
    let type = line[i + 1]
    guard
      type == UInt8(ascii: "t") || type == UInt8(ascii: "T") || type == UInt8(ascii: "w") || type == UInt8(ascii: "W"),
      line[i + 2] == 32
    else { return nil }
    let rest = UnsafeBufferPointer(rebasing: line[(i + 3)...])
    var nameEnd = 0
    while nameEnd < rest.count, rest[nameEnd] != 9, rest[nameEnd] != 32 { nameEnd += 1 }
    var name = String(decoding: UnsafeBufferPointer(rebasing: rest[..<nameEnd]), as: UTF8.self)
    if nameEnd < rest.count {
      let module = String(decoding: UnsafeBufferPointer(rebasing: rest[nameEnd...]), as: UTF8.self)
      let trimmed = module.drop { $0 == " " || $0 == "\t" }
      if !trimmed.isEmpty { name += " " + trimmed }
    }
    return name.isEmpty ? nil : Symbol(address: address, name: name)
  }

  /// The symbol that starts at or before `address` (kallsyms has no sizes: each symbol ends
  /// where the next begins), or nil before the first symbol or past the last by over 1 MiB.
  public func symbol(containing address: UInt64) -> Symbol? {
    let lo = symbols.upperBound(of: address) { $0.address }
    guard lo > 0 else { return nil }
    let s = symbols[lo - 1]
    if lo == symbols.count, address - s.address > 1 << 20 { return nil }
    return s
  }
}

/// The value of one ASCII hex digit.
@inline(__always)
func hexValue(_ c: UInt8) -> UInt8? {
  switch c {
  case 48...57: return c - 48
  case 97...102: return c - 87
  case 65...70: return c - 55
  default: return nil
  }
}

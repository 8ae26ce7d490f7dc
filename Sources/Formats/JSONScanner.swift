/// A pull reader over JSON bytes: the caller walks objects and arrays and asks for the values
/// it wants; everything else is skipped without building anything. Strict RFC 8259 syntax,
/// nesting bounded by `maxDepth` (skipping is iterative, never recursive), errors with line
/// and column. No Foundation: a 200 MB trace is read in one pass over its bytes.
///
/// The bytes must outlive the scanner (it is used inside `withUnsafeBytes`).
struct JSONScanner {
  let bytes: UnsafeRawBufferPointer
  /// The next byte to read.
  private(set) var offset = 0
  /// Deepest nesting `skipValue` accepts.
  let maxDepth: Int

  init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) {
    self.bytes = bytes
    self.maxDepth = maxDepth
  }

  /// A string token's bytes (without quotes) and whether it holds escapes.
  struct RawString {
    var range: Range<Int>
    var hasEscapes: Bool
  }

  // MARK: Structure

  /// The next non-space byte without consuming it, nil at the end.
  mutating func peek() -> UInt8? {
    skipSpace()
    return offset < bytes.count ? bytes[offset] : nil
  }

  /// True when only whitespace is left.
  mutating func isAtEnd() -> Bool { peek() == nil }

  /// Consumes `byte` (after whitespace) or fails naming `what` was expected.
  mutating func expect(_ byte: UInt8, _ what: String) throws(FormatError) {
    guard peek() == byte else { throw error("expected \(what)") }
    offset += 1
  }

  /// The next key of an object whose `{` was consumed, nil (with `}` consumed) at its end.
  /// `first` is true before the first key and is cleared here.
  mutating func nextKey(_ first: inout Bool) throws(FormatError) -> RawString? {
    guard let b = peek() else { throw error("unexpected end of input inside an object") }
    if b == UInt8(ascii: "}") && first {
      offset += 1
      return nil
    }
    if !first {
      if b == UInt8(ascii: "}") {
        offset += 1
        return nil
      }
      guard b == UInt8(ascii: ",") else { throw error("expected ',' or '}' after an object member") }
      offset += 1
    }
    first = false
    guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
    let key = try rawString()
    try expect(UInt8(ascii: ":"), "':' after an object key")
    return key
  }

  /// True when another element of an array whose `[` was consumed follows (its separator
  /// consumed); false (with `]` consumed) at its end.
  mutating func nextElement(_ first: inout Bool) throws(FormatError) -> Bool {
    guard let b = peek() else { throw error("unexpected end of input inside an array") }
    if b == UInt8(ascii: "]") {
      offset += 1
      return false
    }
    if !first {
      guard b == UInt8(ascii: ",") else { throw error("expected ',' or ']' after an array element") }
      offset += 1
      guard let next = peek() else { throw error("unexpected end of input inside an array") }
      if next == UInt8(ascii: "]") { throw error("trailing ',' before ']'") }
    }
    first = false
    return true
  }

  // MARK: Values

  /// Reads a string token (opening quote next) and returns its raw bytes.
  mutating func rawString() throws(FormatError) -> RawString {
    guard peek() == UInt8(ascii: "\"") else { throw error("expected a string") }
    offset += 1
    let start = offset
    var escapes = false
    while offset < bytes.count {
      let b = bytes[offset]
      if b == UInt8(ascii: "\"") {
        let range = start..<offset
        offset += 1
        return RawString(range: range, hasEscapes: escapes)
      }
      if b == UInt8(ascii: "\\") {
        escapes = true
        guard offset + 1 < bytes.count else { break }
        switch bytes[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
          UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
          offset += 2
        case UInt8(ascii: "u"):
          guard Self.hex4(bytes, offset + 2) != nil else { throw error("bad \\u escape") }
          offset += 6
        default:
          throw error("bad escape '\\\(Character(Unicode.Scalar(bytes[offset + 1])))'")
        }
        continue
      }
      if b < 0x20 { throw error("control character in a string") }
      offset += 1
    }
    offset = bytes.count
    throw error("unterminated string")
  }

  /// Reads a string value and decodes it (escapes resolved, invalid UTF-8 replaced).
  mutating func string() throws(FormatError) -> String {
    let raw = try rawString()
    return try decode(raw)
  }

  /// The text of a string token.
  func decode(_ raw: RawString) throws(FormatError) -> String {
    let slice = UnsafeRawBufferPointer(rebasing: bytes[raw.range])
    guard raw.hasEscapes else { return String(decoding: slice, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(slice.count)
    var i = 0
    func fail(_ reason: String) -> FormatError { error(reason, at: raw.range.lowerBound + i) }
    while i < slice.count {
      let b = slice[i]
      guard b == UInt8(ascii: "\\") else {
        out.append(b)
        i += 1
        continue
      }
      guard i + 1 < slice.count else { throw fail("bad escape") }
      let e = slice[i + 1]
      i += 2
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        guard let high = Self.hex4(slice, i) else { throw fail("bad \\u escape") }
        i += 4
        var scalar = UInt32(high)
        if (0xD800..<0xDC00).contains(high), i + 6 <= slice.count, slice[i] == UInt8(ascii: "\\"),
          slice[i + 1] == UInt8(ascii: "u"), let low = Self.hex4(slice, i + 2), (0xDC00..<0xE000).contains(low)
        {
          scalar = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
          i += 6
        }
        let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(s)).utf8))
      default: throw fail("bad escape '\\\(Character(Unicode.Scalar(e)))'")
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  private static func hex4(_ s: UnsafeRawBufferPointer, _ at: Int) -> UInt16? {
    guard at + 4 <= s.count else { return nil }
    var v: UInt16 = 0
    for k in 0..<4 {
      let c = s[at + k]
      let d: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
      default: return nil
      }
      v = v << 4 | UInt16(d)
    }
    return v
  }

  /// True when `raw` is exactly the ASCII text `key` (no escapes).
  func equals(_ raw: RawString, _ key: StaticString) -> Bool {
    let start = raw.range.lowerBound
    let count = raw.range.upperBound - start  // not `range.count`: generic and slow in debug builds
    guard !raw.hasEscapes, count == key.utf8CodeUnitCount else { return false }
    let k = key.utf8Start
    var n = 0
    while n < count {  // a plain loop: `enumerated()` costs generic metadata per byte in debug builds
      if bytes[start + n] != k[n] { return false }
      n += 1
    }
    return true
  }

  /// Reads a number token (strict JSON grammar) and returns its text range.
  mutating func numberText() throws(FormatError) -> Range<Int> {
    _ = peek()
    let start = offset
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
    let integerStart = offset
    let integerDigits = digits()
    guard integerDigits > 0 else { throw error("expected a value") }
    if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
      throw error("number with a leading zero", at: start)
    }
    if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
      offset += 1
      guard digits() > 0 else { throw error("expected digits after '.'") }
    }
    if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
      offset += 1
      if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
      guard digits() > 0 else { throw error("expected digits in an exponent") }
    }
    return start..<offset
  }

  private mutating func digits() -> Int {
    let start = offset
    while offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 { offset += 1 }
    return offset - start
  }

  /// A number read as `value × 10^scale` rounded to the nearest integer (half away from zero),
  /// exactly for up to 18 significant digits; nil when it does not fit in ±2^62. With scale 3 a
  /// microsecond count becomes nanoseconds without the rounding error of a Double.
  func scaled(_ range: Range<Int>, by scale: Int) -> Int64? {
    var i = range.lowerBound
    let negative = bytes[i] == UInt8(ascii: "-")
    if negative { i += 1 }
    var mantissa: Int64 = 0
    var exponent = scale
    var significant = 0
    var roundUp = false
    var seenPoint = false
    var roundingDigitTaken = false
    while i < range.upperBound {
      let c = bytes[i]
      if c == UInt8(ascii: ".") {
        seenPoint = true
        i += 1
        continue
      }
      if c | 0x20 == UInt8(ascii: "e") { break }
      let d = Int64(c &- UInt8(ascii: "0"))
      if significant < 18 {
        if mantissa != 0 || d != 0 { significant += 1 }
        mantissa = mantissa * 10 + d
        if seenPoint { exponent -= 1 }
      } else {
        if !roundingDigitTaken {
          roundUp = d >= 5
          roundingDigitTaken = true
        }
        if !seenPoint { exponent += 1 }
      }
      i += 1
    }
    if i < range.upperBound {  // exponent part
      i += 1
      var expNegative = false
      if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
        expNegative = bytes[i] == UInt8(ascii: "-")
        i += 1
      }
      var e = 0
      while i < range.upperBound {
        e = min(e * 10 + Int(bytes[i] &- UInt8(ascii: "0")), 100_000)
        i += 1
      }
      exponent += expNegative ? -e : e
    }
    if roundUp { mantissa += 1 }
    while exponent > 0 {
      guard mantissa != 0 else { break }
      let (m, overflow) = mantissa.multipliedReportingOverflow(by: 10)
      guard !overflow else { return nil }
      mantissa = m
      exponent -= 1
    }
    while exponent < 0 && mantissa != 0 {
      let last = mantissa % 10
      mantissa /= 10
      exponent += 1
      if exponent == 0 && last >= 5 { mantissa += 1 }
    }
    guard mantissa < 1 << 62 else { return nil }
    return negative ? -mantissa : mantissa
  }

  /// Skips one value of any kind, nested at most `maxDepth` deep.
  mutating func skipValue() throws(FormatError) {
    var depth = 0
    var expectingValue = true
    // Iterative: a stack of open containers is just a depth count plus the bytes seen.
    var containers: [UInt8] = []
    repeat {
      guard let b = peek() else { throw error("unexpected end of input") }
      if expectingValue {
        switch b {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
          depth += 1
          guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
          containers.append(b)
          offset += 1
          let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
          if peek() == close {
            offset += 1
            depth -= 1
            containers.removeLast()
            expectingValue = false
            continue
          }
          if b == UInt8(ascii: "{") {
            _ = try rawStringKey()
          }
          continue
        case UInt8(ascii: "\""): _ = try rawString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try numberText()
        }
        expectingValue = false
      } else {
        guard let open = containers.last else { break }
        let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        if b == close {
          offset += 1
          depth -= 1
          containers.removeLast()
        } else if b == UInt8(ascii: ",") {
          offset += 1
          if open == UInt8(ascii: "{") { _ = try rawStringKey() }
          expectingValue = true
        } else {
          throw error(
            open == UInt8(ascii: "{")
              ? "expected ',' or '}' after an object member" : "expected ',' or ']' after an array element")
        }
      }
    } while depth > 0 || expectingValue
  }

  /// A key and its colon, inside `skipValue`.
  private mutating func rawStringKey() throws(FormatError) -> RawString {
    guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
    let key = try rawString()
    try expect(UInt8(ascii: ":"), "':' after an object key")
    return key
  }

  /// Consumes the literal `word` (true, false, null).
  mutating func literal(_ word: StaticString) throws(FormatError) {
    _ = peek()
    let n = word.utf8CodeUnitCount
    guard offset + n <= bytes.count else { throw error("unexpected end of input") }
    for k in 0..<n where bytes[offset + k] != word.utf8Start[k] { throw error("unexpected character") }
    offset += n
  }

  // MARK: Errors

  private mutating func skipSpace() {
    while offset < bytes.count {
      switch bytes[offset] {
      case 0x20, 0x0A, 0x0D, 0x09: offset += 1
      default: return
      }
    }
  }

  /// A syntax error at the current position (or `at`), with its line and column.
  func error(_ reason: String, at position: Int? = nil) -> FormatError {
    let at = min(position ?? offset, bytes.count)
    var line = 1
    var lineStart = 0
    for i in 0..<at where bytes[i] == 0x0A {
      line += 1
      lineStart = i + 1
    }
    return .corruptJSON(line: line, column: at - lineStart + 1, reason: reason)
  }
}

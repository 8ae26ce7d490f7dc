/// The wire types of protobuf that pprof uses; groups (3, 4) are rejected as malformed.
enum WireType: UInt8 {
  case varint = 0
  case fixed64 = 1
  case lengthDelimited = 2
  case fixed32 = 5
}

/// Reads protobuf wire data from a byte range with a bounds check on every read.
///
/// Offsets are absolute positions in the buffer so errors can name the exact byte.
/// It never recurses: nested messages are read by making a new reader for the sub-range.
struct ProtoReader {
  private let base: UnsafePointer<UInt8>?
  /// Next byte to read.
  private(set) var position: Int
  /// One past the last byte of this reader's range.
  let end: Int

  /// A reader over `range` of `buffer`; the range must lie inside the buffer.
  init(_ buffer: UnsafeRawBufferPointer, range: Range<Int>) {
    base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    position = range.lowerBound
    end = range.upperBound
  }

  private init(base: UnsafePointer<UInt8>?, range: Range<Int>) {
    self.base = base
    position = range.lowerBound
    end = range.upperBound
  }

  @inline(__always) var isAtEnd: Bool { position >= end }

  /// A reader for a sub-range previously returned by `readLengthDelimited`.
  @inline(__always) func reader(for range: Range<Int>) -> ProtoReader {
    ProtoReader(base: base, range: range)
  }

  /// Reads a base-128 varint of at most 10 bytes (bits past 64 are dropped, as Go does).
  @inline(__always)
  mutating func readVarint() throws(FormatError) -> UInt64 {
    guard let base, position < end else {
      throw FormatError.corruptPprof(offset: position, reason: "data ends inside a varint")
    }
    let first = base[position]
    if first < 0x80 {
      position += 1
      return UInt64(first)
    }
    return try readLongVarint(base)
  }

  private mutating func readLongVarint(_ base: UnsafePointer<UInt8>) throws(FormatError) -> UInt64 {
    let start = position
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard position < end else { throw FormatError.corruptPprof(offset: start, reason: "data ends inside a varint") }
      let byte = base[position]
      position += 1
      result |= UInt64(byte & 0x7f) << shift
      if byte < 0x80 { return result }
      shift += 7
      if shift >= 70 { throw FormatError.corruptPprof(offset: start, reason: "varint longer than 10 bytes") }
    }
  }

  /// Reads a field tag: its number and wire type.
  @inline(__always)
  mutating func readTag() throws(FormatError) -> (field: UInt64, wire: WireType) {
    let at = position
    let key = try readVarint()
    let field = key >> 3
    guard field != 0 else { throw FormatError.corruptPprof(offset: at, reason: "field number 0") }
    guard let wire = WireType(rawValue: UInt8(key & 7)) else {
      throw FormatError.corruptPprof(offset: at, reason: "field \(field) has unsupported wire type \(key & 7)")
    }
    return (field, wire)
  }

  /// Reads a length prefix and returns the absolute range of the payload, which must fit.
  @inline(__always)
  mutating func readLengthDelimited() throws(FormatError) -> Range<Int> {
    let at = position
    let length = try readVarint()
    guard length <= UInt64(end - position) else {
      throw FormatError.corruptPprof(
        offset: at,
        reason: "length \(Int64(bitPattern: length)) runs past the end of its message (\(end - position) bytes left)")
    }
    let start = position
    position += Int(length)
    return start..<position
  }

  /// Skips a value of wire type `wire`.
  mutating func skip(_ wire: WireType) throws(FormatError) {
    switch wire {
    case .varint: _ = try readVarint()
    case .lengthDelimited: _ = try readLengthDelimited()
    case .fixed64: try advance(8)
    case .fixed32: try advance(4)
    }
  }

  private mutating func advance(_ n: Int) throws(FormatError) {
    guard end - position >= n else {
      throw FormatError.corruptPprof(offset: position, reason: "data ends inside a \(n * 8)-bit fixed field")
    }
    position += n
  }

  /// The bytes of `range` as a string; invalid UTF-8 is repaired, as protobuf readers in Go tolerate it.
  func string(_ range: Range<Int>) -> String {
    guard let base else { return "" }
    return String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
  }

  /// Error for a known field that arrived with the wrong wire type.
  func mismatch(_ field: UInt64, _ wire: WireType, in message: String) -> FormatError {
    FormatError.corruptPprof(offset: position, reason: "field \(field) of \(message) has wire type \(wire.rawValue)")
  }

  /// Reads a scalar field that may be packed (one length-delimited run) or not (one varint),
  /// calling `body` with each value.
  @inline(__always)
  mutating func forEachVarint(
    _ field: UInt64, _ wire: WireType, in message: String, _ body: (UInt64) throws(FormatError) -> Void
  ) throws(FormatError) {
    switch wire {
    case .varint:
      try body(try readVarint())
    case .lengthDelimited:
      var sub = reader(for: try readLengthDelimited())
      while !sub.isAtEnd { try body(try sub.readVarint()) }
    default:
      throw mismatch(field, wire, in: message)
    }
  }
}

/// Appends protobuf wire data to a byte array; fields equal to zero are left out, as proto3 does.
struct ProtoWriter {
  /// The bytes written so far.
  var bytes: [UInt8] = []

  init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  /// Empties the buffer but keeps its storage, for reuse as a per-message scratch writer.
  mutating func reset() { bytes.removeAll(keepingCapacity: true) }

  @inline(__always)
  mutating func varint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  @inline(__always)
  static func varintSize(_ value: UInt64) -> Int {
    // 1 byte per 7 significant bits, at least 1.
    let bits = 64 - value.leadingZeroBitCount
    return max(1, (bits + 6) / 7)
  }

  @inline(__always)
  mutating func tag(_ field: Int, _ wire: WireType) { varint(UInt64(field) << 3 | UInt64(wire.rawValue)) }

  /// A uint64 field, left out when zero.
  @inline(__always)
  mutating func uint64(_ field: Int, _ value: UInt64) {
    guard value != 0 else { return }
    tag(field, .varint)
    varint(value)
  }

  /// An int64 field (two's complement, as protobuf's int64), left out when zero.
  @inline(__always)
  mutating func int64(_ field: Int, _ value: Int64) { uint64(field, UInt64(bitPattern: value)) }

  /// A bool field, left out when false.
  @inline(__always)
  mutating func bool(_ field: Int, _ value: Bool) { uint64(field, value ? 1 : 0) }

  /// A string field, always written (string_table entries must keep their positions).
  mutating func string(_ field: Int, _ value: String) {
    var s = value
    s.withUTF8 { utf8 in
      tag(field, .lengthDelimited)
      varint(UInt64(utf8.count))
      bytes.append(contentsOf: utf8)
    }
  }

  /// A string field from its UTF-8 bytes (always written, like `string`).
  mutating func string(_ field: Int, utf8: UnsafeBufferPointer<UInt8>) {
    tag(field, .lengthDelimited)
    varint(UInt64(utf8.count))
    bytes.append(contentsOf: utf8)
  }

  /// A nested message whose encoding is `message.bytes`, always written.
  mutating func message(_ field: Int, _ message: ProtoWriter) {
    tag(field, .lengthDelimited)
    varint(UInt64(message.bytes.count))
    bytes.append(contentsOf: message.bytes)
  }

  /// A packed repeated uint64 field, left out when empty.
  mutating func packed(_ field: Int, _ values: some Collection<UInt64>) {
    guard !values.isEmpty else { return }
    var size = 0
    for v in values { size += Self.varintSize(v) }
    tag(field, .lengthDelimited)
    varint(UInt64(size))
    for v in values { varint(v) }
  }

  /// A packed repeated int64 field, left out when empty.
  mutating func packed(_ field: Int, _ values: some Collection<Int64>) {
    guard !values.isEmpty else { return }
    var size = 0
    for v in values { size += Self.varintSize(UInt64(bitPattern: v)) }
    tag(field, .lengthDelimited)
    varint(UInt64(size))
    for v in values { varint(UInt64(bitPattern: v)) }
  }
}

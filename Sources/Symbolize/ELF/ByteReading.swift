/// Bounds-checked little-endian reads on raw bytes, so parsers of untrusted files never
/// read outside their buffer: every read returns nil instead of trapping.
extension UnsafeRawBufferPointer {
  /// The little-endian integer at `offset`, or nil when it does not fit in the buffer.
  @inlinable
  func readLE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
    guard offset >= 0, let base = baseAddress, offset <= count - MemoryLayout<T>.size else { return nil }
    return T(littleEndian: (base + offset).loadUnaligned(as: T.self))
  }

  /// The bytes `[offset, offset + size)` when they lie inside the buffer (overflow-safe).
  func slice(offset: UInt64, size: UInt64) -> UnsafeRawBufferPointer? {
    guard let base = baseAddress, offset <= UInt64(count), size <= UInt64(count) - offset else { return nil }
    return UnsafeRawBufferPointer(start: base + Int(offset), count: Int(size))
  }

  /// The NUL-terminated string starting at `offset` (stopping at the buffer's end), or nil.
  func cString(at offset: Int) -> String? {
    guard offset >= 0, offset < count, let base = baseAddress else { return nil }
    var end = offset
    while end < count, self[end] != 0 { end += 1 }
    return String(decoding: UnsafeRawBufferPointer(start: base + offset, count: end - offset), as: UTF8.self)
  }
}

/// Lower-case hex of bytes, as build ids are written in paths and pprof mappings.
func hexString(_ bytes: [UInt8]) -> String {
  let digits: [Character] = Array("0123456789abcdef")
  var s = ""
  s.reserveCapacity(bytes.count * 2)
  for b in bytes {
    s.append(digits[Int(b >> 4)])
    s.append(digits[Int(b & 0xf)])
  }
  return s
}

/// A bounds-checked cursor over CFI bytes: LEB128 and DW_EH_PE pointer encodings.
///
/// Every read returns nil past the end, so a corrupt section yields "no row", never a trap.
struct CFIReader {
  let bytes: UnsafeRawBufferPointer
  var offset: Int
  /// Link address of `bytes[0]` (for pc-relative pointers).
  let baseAddress: UInt64

  init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0, baseAddress: UInt64 = 0) {
    self.bytes = bytes
    self.offset = offset
    self.baseAddress = baseAddress
  }

  var isAtEnd: Bool { offset >= bytes.count }

  mutating func u8() -> UInt8? {
    guard offset >= 0, offset < bytes.count else { return nil }
    defer { offset += 1 }
    return bytes[offset]
  }

  mutating func fixed<T: FixedWidthInteger>(_: T.Type) -> T? {
    guard let v = bytes.readLE(T.self, at: offset) else { return nil }
    offset += MemoryLayout<T>.size
    return v
  }

  mutating func uleb() -> UInt64? {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while let b = u8() {
      if shift < 64 { result |= UInt64(b & 0x7f) << shift }
      shift += 7
      if b & 0x80 == 0 { return result }
    }
    return nil
  }

  mutating func sleb() -> Int64? {
    var result: Int64 = 0
    var shift: Int64 = 0
    while let b = u8() {
      if shift < 64 { result |= Int64(b & 0x7f) << shift }
      shift += 7
      if b & 0x80 == 0 {
        // Sign-extend by shifting ones in (negating 1 << 63 would trap).
        if shift < 64, b & 0x40 != 0 { result |= Int64(-1) << shift }
        return result
      }
    }
    return nil
  }

  mutating func skip(_ n: Int) -> Bool {
    guard n >= 0, n <= bytes.count - offset else { return false }
    offset += n
    return true
  }

  mutating func cString() -> [UInt8]? {
    var s: [UInt8] = []
    while let b = u8() {
      if b == 0 { return s }
      s.append(b)
    }
    return nil
  }

  /// Reads a pointer in DW_EH_PE `encoding`; `dataBase` serves DW_EH_PE_datarel. Indirect
  /// pointers (which need the loaded image) are not followed: nil.
  mutating func pointer(encoding: UInt8, dataBase: UInt64 = 0) -> UInt64? {
    if encoding == 0xff { return nil }
    let position = baseAddress &+ UInt64(offset)
    guard let raw = value(format: encoding & 0x0f) else { return nil }
    switch encoding & 0x70 {
    case 0x00: break
    case 0x10: return encoding & 0x80 != 0 ? nil : position &+ raw
    case 0x30: return encoding & 0x80 != 0 ? nil : dataBase &+ raw
    default: return nil
    }
    return encoding & 0x80 != 0 ? nil : raw
  }

  /// Reads a value in the format part (low nibble) of a DW_EH_PE encoding, sign-extended.
  mutating func value(format: UInt8) -> UInt64? {
    switch format {
    case 0x00, 0x04: return fixed(UInt64.self)
    case 0x01: return uleb()
    case 0x02: return fixed(UInt16.self).map(UInt64.init)
    case 0x03: return fixed(UInt32.self).map(UInt64.init)
    case 0x09: return sleb().map { UInt64(bitPattern: $0) }
    case 0x0a: return fixed(Int16.self).map { UInt64(bitPattern: Int64($0)) }
    case 0x0b: return fixed(Int32.self).map { UInt64(bitPattern: Int64($0)) }
    case 0x0c: return fixed(Int64.self).map { UInt64(bitPattern: $0) }
    default: return nil
    }
  }
}

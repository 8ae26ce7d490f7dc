/// A sample's copy of the user stack: the bytes from the sampled stack pointer upward.
struct StackCopy {
  let bytes: UnsafeRawBufferPointer
  /// The stack pointer at the sample: the address of `bytes[0]`.
  let base: UInt64

  /// The 8-byte word at `address`, or nil outside the copy.
  func word(at address: UInt64) -> UInt64? {
    guard address >= base else { return nil }
    let offset = address - base
    guard offset <= UInt64(bytes.count), UInt64(bytes.count) - offset >= 8 else { return nil }
    return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: Int(offset), as: UInt64.self))
  }

  /// Whether `address` lies in (or just past the end of) the copy.
  var end: UInt64 { base &+ UInt64(bytes.count) }
}

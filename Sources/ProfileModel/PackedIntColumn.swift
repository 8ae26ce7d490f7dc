/// A column of `Int64` values stored in the fewest bytes that hold every value so far.
///
/// A loaded session's samples are mostly small counts and ids: storing each in eight bytes
/// made the sample table the largest part of a big session. While every value is equal the
/// column stores one value; while all are non-negative it stores 1, 2 or 4 bytes per value,
/// whichever holds the largest; anything else (a negative value, one past `UInt32.max`) takes
/// 8. Three bytes (values up to 16,777,215) hold the ids of stack trees with 64 K–16 M nodes,
/// which took four. A value that does not fit widens the column once (one copy), so a column
/// pays at most five copies over its life and reads back exactly what was stored.
public struct PackedIntColumn: Sendable, RandomAccessCollection {
  /// How the values are stored; the raw value is the bytes per value.
  public enum Storage: Int, Sendable, Comparable {
    case constant = 0
    case uint8 = 1
    case uint16 = 2
    case uint24 = 3
    case uint32 = 4
    case int64 = 8

    /// The narrowest storage that holds `value`.
    @inlinable public static func narrowest(for value: Int64) -> Storage {
      if value < 0 { return .int64 }
      if value <= Int64(UInt8.max) { return .uint8 }
      if value <= Int64(UInt16.max) { return .uint16 }
      if value <= uint24Max { return .uint24 }
      if value <= Int64(UInt32.max) { return .uint32 }
      return .int64
    }

    @inlinable public static func < (a: Storage, b: Storage) -> Bool { a.rawValue < b.rawValue }
  }

  /// The largest value three bytes hold.
  public static let uint24Max: Int64 = 0xFF_FFFF

  /// The current storage of every value.
  public private(set) var storage: Storage = .constant
  /// Every value while `storage` is `.constant`.
  @usableFromInline private(set) var constant: Int64 = 0
  /// `count` values of `storage.rawValue` bytes each, little-endian (empty while constant).
  @usableFromInline private(set) var bytes: [UInt8] = []
  public private(set) var count = 0
  /// Values expected in all, so a widening copy reserves for them at once.
  private var expected = 0

  public init() {}

  /// A column holding `values`, stored as narrowly as the whole set allows (no widening).
  public init<C: RandomAccessCollection>(_ values: C) where C.Element == Int64 {
    self.init(count: values.count) { values[values.index(values.startIndex, offsetBy: $0)] }
  }

  /// A column of `count` values, `value(i)` for each `i` in order; `value` is called twice per
  /// index (a pass to choose the storage, then one to fill it) and must give the same answer.
  public init(count: Int, _ value: (Int) -> Int64) {
    guard count > 0 else { return }
    let first = value(0)
    var narrowest = Storage.narrowest(for: first)
    var allEqual = true
    for i in 1..<count {
      let v = value(i)
      if v != first { allEqual = false }
      let s = Storage.narrowest(for: v)
      if s > narrowest { narrowest = s }
    }
    self.count = count
    expected = count
    guard !allEqual else {
      constant = first
      return
    }
    storage = narrowest
    switch narrowest {
    case .constant: break
    case .uint8: bytes = Self.encoded(count: count, as: UInt8.self, value)
    case .uint16: bytes = Self.encoded(count: count, as: UInt16.self, value)
    case .uint24: bytes = Self.encoded24(count: count, value)
    case .uint32: bytes = Self.encoded(count: count, as: UInt32.self, value)
    case .int64: bytes = Self.encoded(count: count, as: Int64.self, value)
    }
  }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { count }

  /// Value `i`.
  @inlinable public subscript(i: Int) -> Int64 {
    precondition(i >= 0 && i < count, "index \(i) out of range of a column of \(count)")
    switch storage {
    case .constant: return constant
    case .uint8: return Int64(bytes[i])
    case .uint16:
      return Int64(
        UInt16(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self) }))
    case .uint24: return bytes.withUnsafeBytes { Self.load24($0, at: i &* 3) }
    case .uint32:
      return Int64(
        UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self) }))
    case .int64:
      return Int64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self) })
    }
  }

  /// Calls `body` with each value in order, choosing the storage once rather than per value.
  @inlinable public func forEach(_ body: (Int64) throws -> Void) rethrows {
    switch storage {
    case .constant: for _ in 0..<count { try body(constant) }
    case .uint8: for b in bytes { try body(Int64(b)) }
    case .uint16: try Self.forEach(bytes, as: UInt16.self, body)
    case .uint24:
      try bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset &+ 3 <= raw.count {
          try body(Self.load24(raw, at: offset))
          offset &+= 3
        }
      }
    case .uint32: try Self.forEach(bytes, as: UInt32.self, body)
    case .int64: try Self.forEach(bytes, as: Int64.self, body)
    }
  }

  @inlinable static func forEach<T: FixedWidthInteger>(
    _ bytes: [UInt8], as: T.Type, _ body: (Int64) throws -> Void
  ) rethrows {
    try bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        try body(Int64(T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))))
        offset &+= MemoryLayout<T>.size
      }
    }
  }

  /// The three little-endian bytes at `offset`, read one by one: a four-byte load would read
  /// past the buffer's end at its last value.
  @inlinable static func load24(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Int64 {
    precondition(offset >= 0 && offset &+ 3 <= raw.count, "3-byte value at \(offset) past \(raw.count) bytes")
    let b0 = Int64(raw.load(fromByteOffset: offset, as: UInt8.self))
    let b1 = Int64(raw.load(fromByteOffset: offset &+ 1, as: UInt8.self))
    let b2 = Int64(raw.load(fromByteOffset: offset &+ 2, as: UInt8.self))
    return b0 | b1 << 8 | b2 << 16
  }

  /// Stores the low three bytes of `value` at `offset`, little-endian, byte by byte.
  @inlinable static func store24(_ value: Int64, _ raw: UnsafeMutableRawBufferPointer, at offset: Int) {
    precondition(offset >= 0 && offset &+ 3 <= raw.count, "3-byte value at \(offset) past \(raw.count) bytes")
    raw[offset] = UInt8(truncatingIfNeeded: value)
    raw[offset &+ 1] = UInt8(truncatingIfNeeded: value >> 8)
    raw[offset &+ 2] = UInt8(truncatingIfNeeded: value >> 16)
  }

  /// Bytes the values take (the heap buffer's capacity aside).
  public var storedBytes: Int { bytes.count }

  /// Makes room for `n` values in all at the current storage, and for them at a wider one.
  public mutating func reserveCapacity(_ n: Int) {
    expected = Swift.max(expected, n)
    if storage != .constant { bytes.reserveCapacity(n * storage.rawValue) }
  }

  /// Re-stores the values as narrowly as they allow in a buffer of exactly their size, when
  /// the buffer has spare room (a finished profile appends no more).
  public mutating func compact() {
    expected = count
    guard bytes.capacity - bytes.count > Swift.max(64, bytes.count / 32) || storage != .constant && count <= 1 else {
      return
    }
    let old = self
    self = PackedIntColumn(count: old.count) { old[$0] }
  }

  /// Bytes the heap buffer holds, used or not.
  public var capacityBytes: Int { bytes.capacity }

  /// Appends `value`, widening the column first if it does not fit.
  public mutating func append(_ value: Int64) {
    if storage == .constant {
      if count == 0 || value == constant {
        constant = value
        count += 1
        return
      }
      widen(to: Swift.max(Storage.narrowest(for: constant), Storage.narrowest(for: value)))
    } else {
      let needed = Storage.narrowest(for: value)
      if needed > storage { widen(to: needed) }
    }
    switch storage {
    case .constant: preconditionFailure("a column that holds two values is not constant")
    case .uint8: bytes.append(UInt8(truncatingIfNeeded: value))
    case .uint16: Self.append(UInt16(truncatingIfNeeded: value), to: &bytes)
    case .uint24:
      let v = UInt32(truncatingIfNeeded: value)
      bytes.append(UInt8(truncatingIfNeeded: v))
      bytes.append(UInt8(truncatingIfNeeded: v >> 8))
      bytes.append(UInt8(truncatingIfNeeded: v >> 16))
    case .uint32: Self.append(UInt32(truncatingIfNeeded: value), to: &bytes)
    case .int64: Self.append(value, to: &bytes)
    }
    count += 1
  }

  /// Appends `count` values: `value(0)`, `value(1)`, … with `smallest` and `largest` their
  /// bounds; the width is checked once and the values are written in one copy (a bulk loader
  /// appending a stack's new nodes, tens at a time, where appending one by one was a fifth of
  /// building the tree).
  public mutating func append(
    count n: Int, smallest: Int64, largest: Int64, _ value: (Int) -> Int64
  ) {
    guard n > 0 else { return }
    if storage == .constant {
      // One value so far (or none): the general path decides whether the column stays constant.
      for i in 0..<n { append(value(i)) }
      return
    }
    let needed = Swift.max(Storage.narrowest(for: smallest), Storage.narrowest(for: largest))
    if needed > storage { widen(to: needed) }
    let size = storage.rawValue
    let storage = self.storage
    withUnsafeTemporaryAllocation(byteCount: n * size, alignment: 8) { raw in
      for i in 0..<n { Self.store(value(i), as: storage, into: raw, at: i) }
      bytes.append(contentsOf: UnsafeRawBufferPointer(raw))
    }
    count += n
  }

  /// Replaces value `i`, widening the column first if the new value does not fit.
  public mutating func set(_ i: Int, _ value: Int64) {
    precondition(i >= 0 && i < count, "index \(i) out of range of a column of \(count)")
    if storage == .constant {
      guard value != constant else { return }
      widen(to: Swift.max(Storage.narrowest(for: constant), Storage.narrowest(for: value)))
    } else {
      let needed = Storage.narrowest(for: value)
      if needed > storage { widen(to: needed) }
    }
    precondition(bytes.count == count * storage.rawValue, "a column of \(count) holds \(bytes.count) bytes")
    let storage = self.storage
    bytes.withUnsafeMutableBytes { raw in Self.store(value, as: storage, into: raw, at: i) }
  }

  /// Writes `value` as value `i` of a buffer stored as `storage` (little-endian).
  @inline(__always)
  private static func store(_ value: Int64, as storage: Storage, into raw: UnsafeMutableRawBufferPointer, at i: Int) {
    switch storage {
    case .constant: preconditionFailure("a column that holds two values is not constant")
    case .uint8: raw.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: i, as: UInt8.self)
    case .uint16:
      raw.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: i * 2, as: UInt16.self)
    case .uint24: store24(value, raw, at: i * 3)
    case .uint32:
      raw.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: i * 4, as: UInt32.self)
    case .int64: raw.storeBytes(of: value.littleEndian, toByteOffset: i * 8, as: Int64.self)
    }
  }

  /// Re-stores every value at `wider`, the one copy a column pays per width it grows past.
  private mutating func widen(to wider: Storage) {
    let old = self
    let n = count
    let capacity = Swift.max(expected, n + 1)
    switch wider {
    case .constant: preconditionFailure("a column widens to a stored width")
    case .uint8: bytes = Self.encoded(count: n, capacity: capacity, as: UInt8.self) { old[$0] }
    case .uint16: bytes = Self.encoded(count: n, capacity: capacity, as: UInt16.self) { old[$0] }
    case .uint24: bytes = Self.encoded24(count: n, capacity: capacity) { old[$0] }
    case .uint32: bytes = Self.encoded(count: n, capacity: capacity, as: UInt32.self) { old[$0] }
    case .int64: bytes = Self.encoded(count: n, capacity: capacity, as: Int64.self) { old[$0] }
    }
    storage = wider
  }

  private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  /// `count` values in three bytes each, in a buffer with room for `capacity` of them.
  private static func encoded24(count: Int, capacity: Int? = nil, _ value: (Int) -> Int64) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: (capacity ?? count) * 3) { buffer, initialized in
      let raw = UnsafeMutableRawBufferPointer(buffer)
      for i in 0..<count { store24(value(i), raw, at: i * 3) }
      initialized = count * 3
    }
  }

  /// `count` values as `T`, in a buffer with room for `capacity` of them.
  private static func encoded<T: FixedWidthInteger>(
    count: Int, capacity: Int? = nil, as: T.Type, _ value: (Int) -> Int64
  ) -> [UInt8] {
    let size = MemoryLayout<T>.size
    return [UInt8](unsafeUninitializedCapacity: (capacity ?? count) * size) { buffer, initialized in
      let raw = UnsafeMutableRawBufferPointer(buffer)
      for i in 0..<count {
        raw.storeBytes(of: T(truncatingIfNeeded: value(i)).littleEndian, toByteOffset: i * size, as: T.self)
      }
      initialized = count * size
    }
  }
}

extension PackedIntColumn: Equatable {
  /// Equal when the values are, whatever the storage.
  public static func == (a: PackedIntColumn, b: PackedIntColumn) -> Bool { a.elementsEqual(b) }
}

/// An open-addressing hash map from a (parent, location) key to a stack node.
///
/// The stack tree looks up every frame of every stack it interns; Swift's `Dictionary`
/// hashes with SipHash, which dominated loading large profiles. Keys here are already
/// well-mixed integers, so a multiplicative hash with linear probing does the job. Public for
/// the pprof decoder, which indexes only the nodes its sorted visit can meet twice.
public struct ChildIndex: Sendable {
  private var keys: [UInt64]
  private var values: [Int32]
  private var mask: Int
  /// 64 − log2(table size): the slot is the product's top bits (Fibonacci hashing).
  private var shift: UInt64
  public private(set) var count = 0

  /// Never a real key: the root is node 0 and `location` is never -1 in a real key.
  private static let emptyKey = UInt64.max

  public init(capacity: Int = 16) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    keys = Array(repeating: Self.emptyKey, count: size)
    values = Array(repeating: 0, count: size)
    mask = size - 1
    shift = UInt64(64 - size.trailingZeroBitCount)
  }

  /// Top bits of the product: every key bit reaches them. (Bits 20 and up, as before, left the
  /// parent, in the key's upper half, out of the slot for tables under 2^12 and nearly out
  /// above: a deep recursion, one location under a chain of parents, piled into one probe run
  /// and loading 300 lines of 1,000 frames took 10 s.)
  @inline(__always) private func slot(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
  }

  /// The node stored for `key`.
  public func find(_ key: UInt64) -> Int32? {
    var i = slot(key)
    while true {
      let k = keys[i]
      if k == key { return values[i] }
      if k == Self.emptyKey { return nil }
      i = (i + 1) & mask
    }
  }

  /// Stores `value` for a key that is not present yet.
  public mutating func insertNew(_ key: UInt64, _ value: Int32) {
    if (count + 1) * 2 > keys.count { grow(to: keys.count * 2) }
    var i = slot(key)
    while keys[i] != Self.emptyKey { i = (i + 1) & mask }
    keys[i] = key
    values[i] = value
    count += 1
  }

  /// Makes room for `n` entries without rehashing on the way.
  mutating func reserveCapacity(_ n: Int) {
    if n * 2 > keys.count {
      var size = keys.count
      while size < n * 2 { size <<= 1 }
      grow(to: size)
    }
  }

  private mutating func grow(to size: Int) {
    let oldKeys = keys
    let oldValues = values
    keys = Array(repeating: Self.emptyKey, count: size)
    values = Array(repeating: 0, count: size)
    mask = size - 1
    shift = UInt64(64 - size.trailingZeroBitCount)
    count = 0
    for (i, k) in oldKeys.enumerated() where k != Self.emptyKey { insertNew(k, oldValues[i]) }
  }
}

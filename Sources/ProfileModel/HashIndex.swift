/// An open-addressing index of ids (0, 1, 2, … in the order they were added) by their hashes;
/// the caller decides equality. Each id's full hash is kept, so probes compare contents only on
/// a hash match. Used by the string and label-set tables, whose entries live back to back.
struct HashIndex: Sendable {
  /// Ids by slot, -1 for an empty slot.
  private var slots: [Int32]
  /// The hash of every id, indexed or not.
  private var hashes: [UInt64] = []
  private var mask: Int
  private var indexed = 0

  init(capacity: Int = 8) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = Array(repeating: -1, count: size)
    mask = size - 1
    hashes.reserveCapacity(capacity)
  }

  /// The indexed id whose hash is `hash` and that `matching` accepts.
  @inline(__always)
  func find(hash: UInt64, matching: (Int32) -> Bool) -> Int32? {
    var i = Int(truncatingIfNeeded: hash) & mask
    while true {
      let id = slots[i]
      if id < 0 { return nil }
      if hashes[Int(id)] == hash && matching(id) { return id }
      i = (i + 1) & mask
    }
  }

  /// Records the hash of the next id; `indexed` is false for a duplicate lookups must not find.
  mutating func append(hash: UInt64, indexed isIndexed: Bool) {
    let id = Int32(truncatingIfNeeded: hashes.count)
    hashes.append(hash)
    guard isIndexed else { return }
    if (indexed + 1) * 2 > slots.count { grow() }
    place(id, hash)
    indexed += 1
  }

  private mutating func place(_ id: Int32, _ hash: UInt64) {
    var i = Int(truncatingIfNeeded: hash) & mask
    while slots[i] >= 0 { i = (i + 1) & mask }
    slots[i] = id
  }

  private mutating func grow() {
    let old = slots
    slots = Array(repeating: -1, count: old.count * 2)
    mask = slots.count - 1
    for id in old where id >= 0 { place(id, hashes[Int(id)]) }
  }
}

/// Maps pprof's arbitrary nonzero 64-bit ids to dense zero-based indices.
///
/// Profiles written by Go number ids 1…N, so a flat array serves them; sparse ids
/// (any other writer) fall back to a dictionary.
struct PprofIDMap {
  private var dense: [Int32] = []
  private var sparse: [UInt64: Int32] = [:]
  private var useDense = true
  /// The largest id (0 for an empty map).
  private(set) var maxID: UInt64 = 0
  /// Number of ids; indices run `0..<count`.
  let count: Int

  /// Builds the map for `ids` in order; rejects id 0 and duplicates as Go's `CheckValid` does.
  init(_ ids: [UInt64], what: String) throws(FormatError) {
    let maxID = ids.max() ?? 0
    self.maxID = maxID
    count = ids.count
    useDense = maxID <= UInt64(ids.count) * 4 + 1024
    if useDense {
      dense = [Int32](repeating: -1, count: Int(maxID) + 1)
    } else {
      sparse.reserveCapacity(ids.count)
    }
    for (index, id) in ids.enumerated() {
      guard id != 0 else { throw .invalidPprof(reason: "found \(what) with reserved id 0") }
      let value = Int32(truncatingIfNeeded: index)
      if useDense {
        guard dense[Int(id)] < 0 else { throw .invalidPprof(reason: "duplicate \(what) id \(id)") }
        dense[Int(id)] = value
      } else {
        guard sparse.updateValue(value, forKey: id) == nil else {
          throw .invalidPprof(reason: "duplicate \(what) id \(id)")
        }
      }
    }
  }

  /// The dense index of `id`, or nil when no entry has that id.
  @inline(__always)
  func index(of id: UInt64) -> Int32? {
    if useDense {
      guard id < UInt64(dense.count) else { return nil }
      let v = dense[Int(id)]
      return v < 0 ? nil : v
    }
    return sparse[id]
  }
}

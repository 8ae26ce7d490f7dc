/// Interned sets of labels, so samples of one thread (or one request) share a single label-set
/// id. The sets live back to back in one array of 8-byte words, found through a hash index: a
/// set of string labels costs 8 bytes a label plus about 20 a set, not an array object and a
/// dictionary entry (a Go service's profile has a set per request, tens of thousands of them).
public struct LabelSetTable: Sendable {
  /// Every set's labels, set after set: a label is one word (key, string) in a set whose labels
  /// are all strings, three words (key and string, number, number's unit) in any other set.
  private var words: [UInt64] = []
  /// Set `i` is `words[ends[i - 1]..<ends[i]]`; set 0, `LabelSetID.none`, is empty.
  private var ends: [Int] = [0]
  /// One bit per set: set when its labels take three words each.
  private var numeric: [UInt64] = [0]
  private var index = LabelSetTable.indexOfEmptySet()
  /// The words of the set being interned.
  private var scratch: [UInt64] = []

  public init() {}

  private static func indexOfEmptySet() -> HashIndex {
    var index = HashIndex()
    index.append(hash: hash(UnsafeRawBufferPointer(start: nil, count: 0), wide: false), indexed: true)
    return index
  }

  /// The id of the set with exactly these labels in this order, added when new.
  @discardableResult
  public mutating func intern<C: Collection<Label>>(_ set: C) -> LabelSetID { intern(Array(set)) }

  /// The id of the set with exactly these labels in this order, added when new (the loaders'
  /// path: an array, so nothing is generic). The set is encoded into words first and hashed and
  /// compared as those bytes: a Go profile with eight labels a sample pays one pass, not eight.
  @discardableResult
  public mutating func intern(_ set: [Label]) -> LabelSetID {
    let wide = set.contains { $0.number != 0 || $0.numberUnit != .empty }
    scratch.removeAll(keepingCapacity: true)
    for label in set {
      scratch.append(UInt64(UInt32(bitPattern: label.key.raw)) << 32 | UInt64(UInt32(bitPattern: label.string.raw)))
      if wide {
        scratch.append(UInt64(bitPattern: label.number))
        scratch.append(UInt64(UInt32(bitPattern: label.numberUnit.raw)))
      }
    }
    let h = scratch.withUnsafeBytes { Self.hash($0, wide: wide) }
    let found = words.withUnsafeBufferPointer { w in
      scratch.withUnsafeBufferPointer { new in
        index.find(hash: h) { id in
          let i = Int(id)
          let start = i == 0 ? 0 : ends[i - 1]
          guard ends[i] - start == new.count && isWide(i) == wide else { return false }
          for k in 0..<new.count where w[start + k] != new[k] { return false }
          return true
        }
      }
    }
    if let found { return LabelSetID(found) }
    let id = ends.count
    words.append(contentsOf: scratch)
    ends.append(words.count)
    if id / 64 == numeric.count { numeric.append(0) }
    if wide { numeric[id / 64] |= 1 << UInt64(id % 64) }
    index.append(hash: h, indexed: true)
    return LabelSetID(id)
  }

  private func isWide(_ i: Int) -> Bool { numeric[i / 64] & (1 << UInt64(i % 64)) != 0 }

  /// The labels of set `id`.
  public subscript(id: LabelSetID) -> LabelSet {
    let i = id.index
    return LabelSet(words: words[(i == 0 ? 0 : ends[i - 1])..<ends[i]], wide: isWide(i))
  }

  /// How many sets there are, the empty set included.
  public var count: Int { ends.count }

  /// Every set in id order, the empty set first (a view: nothing is copied).
  public var sets: Sets { Sets(table: self) }

  /// The sets of a table, in id order (equal when they hold the same sets in the same order).
  public struct Sets: RandomAccessCollection, Sendable, Equatable {
    public static func == (a: Sets, b: Sets) -> Bool { a.elementsEqual(b, by: { $0.elementsEqual($1) }) }
    let table: LabelSetTable
    public var startIndex: Int { 0 }
    public var endIndex: Int { table.count }
    public subscript(i: Int) -> LabelSet { table[LabelSetID(i)] }
  }

  /// SipHash of a set's words and width (per-process seed), so crafted sets cannot pile into
  /// one probe run.
  private static func hash(_ words: UnsafeRawBufferPointer, wide: Bool) -> UInt64 {
    var h = Hasher()
    h.combine(wide)
    h.combine(bytes: words)
    return UInt64(bitPattern: Int64(h.finalize()))
  }
}

/// The labels of one interned set, read from the table's words (a view: nothing is copied).
public struct LabelSet: RandomAccessCollection, Sendable, Equatable {
  public static func == (a: LabelSet, b: LabelSet) -> Bool { a.elementsEqual(b) }
  let words: ArraySlice<UInt64>
  /// Three words a label (key and string, number, unit) instead of one.
  let wide: Bool
  public var startIndex: Int { 0 }
  public var endIndex: Int { wide ? words.count / 3 : words.count }
  public subscript(i: Int) -> Label {
    let at = words.startIndex + (wide ? i * 3 : i)
    let pair = words[at]
    let key = StringID(Int32(bitPattern: UInt32(truncatingIfNeeded: pair >> 32)))
    let string = StringID(Int32(bitPattern: UInt32(truncatingIfNeeded: pair)))
    guard wide else { return Label(key: key, string: string) }
    return Label(
      key: key, string: string, number: Int64(bitPattern: words[at + 1]),
      numberUnit: StringID(Int32(bitPattern: UInt32(truncatingIfNeeded: words[at + 2]))))
  }
}

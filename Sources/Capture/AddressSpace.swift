/// What a region of a process's address space holds: enough to build a profile `Mapping`.
public struct MappedObject: Hashable, Sendable {
  /// The path the kernel reported, or a pseudo name (`[vdso]`, `[kernel.kallsyms]`,
  /// `/tmp/perf-PID.map` for anonymous executable memory).
  public var filename: String
  /// First address of the range.
  public var start: UInt64
  /// End of the range (exclusive).
  public var limit: UInt64
  /// File offset mapped at `start`, in bytes.
  public var pageOffset: UInt64
  /// Lower-case hex build id, "" when unknown.
  public var buildID: String

  /// Creates a value from its parts.
  public init(filename: String, start: UInt64, limit: UInt64, pageOffset: UInt64, buildID: String = "") {
    self.filename = filename
    self.start = start
    self.limit = limit
    self.pageOffset = pageOffset
    self.buildID = buildID
  }

  /// The pseudo object kernel frames map to.
  public static let kernel = MappedObject(filename: "[kernel.kallsyms]", start: 0, limit: .max, pageOffset: 0)

  /// Whether an mmap'ed name denotes anonymous memory (JIT code lives there).
  static func isAnonymous(_ name: String) -> Bool {
    name.isEmpty || name == "//anon" || name.hasPrefix("[anon") || name == "/dev/zero (deleted)"
      || name.hasPrefix("/anon_hugepage") || name.hasPrefix("/memfd:")
  }
}

/// The executable mappings of one process, sorted by address, for address → object lookup.
///
/// Regions refer to objects by index into the converter's object table, so a forked child's
/// copy shares its parent's objects (and thus profile mappings).
public struct AddressSpace: Sendable {
  /// One mapped range `[start, end)` and the index of its object.
  public struct Region: Hashable, Sendable {
    /// First address of the range.
    public var start: UInt64
    /// End of the range (exclusive).
    public var end: UInt64
    /// Index of the mapped object in the converter's object table.
    public var object: Int
  }

  /// Regions sorted by start address.
  public private(set) var regions: [Region] = []

  /// Creates a value from its parts.
  public init() {}

  /// Adds a mapping, trimming or splitting any regions it overlaps (as mmap replaces them).
  public mutating func map(start: UInt64, end: UInt64, object: Int) {
    guard end > start else { return }
    let i = insertionIndex(start)
    // A region starting before `start` may reach into the new one.
    if i > 0, regions[i - 1].end > start {
      let prev = regions[i - 1]
      regions[i - 1].end = start
      if prev.end > end {
        regions.insert(Region(start: end, end: prev.end, object: prev.object), at: i)
      }
    }
    // Regions starting inside the new range are removed or trimmed at the front.
    var j = i
    while j < regions.count, regions[j].start < end {
      if regions[j].end > end {
        regions[j].start = end
        break
      }
      j += 1
    }
    regions.removeSubrange(i..<j)
    regions.insert(Region(start: start, end: end, object: object), at: i)
  }

  /// The region containing `address`, if any.
  public func region(containing address: UInt64) -> Region? {
    let i = insertionIndex(address &+ 1)
    guard i > 0 else { return nil }
    let r = regions[i - 1]
    return address >= r.start && address < r.end ? r : nil
  }

  /// First index whose region starts at or after `address`.
  private func insertionIndex(_ address: UInt64) -> Int {
    var lo = 0
    var hi = regions.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if regions[mid].start < address { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }
}

/// Code symbols of one or more ELF files (`.symtab` and `.dynsym`), sorted by address for
/// binary search.
///
/// Names are not decoded up front: an entry keeps the offset of its name in the file it
/// came from, and `name(of:)` reads it on demand, so a binary with half a million symbols
/// costs one pass over its tables and no string allocations. The files' bytes must stay
/// alive as long as the table (the owner, `BinaryImage`, keeps both).
public struct ELFSymbolTable {
  /// One code symbol: the address range `[start, end)` it covers.
  public struct Entry: Equatable, Sendable {
    /// First link-time address.
    public var start: UInt64
    /// One past the last address.
    public var end: UInt64
    /// Absolute offset of the NUL-terminated name in the source file's bytes.
    var nameOffset: UInt64
    /// Index of the file in `sources`.
    var source: UInt8
    /// Higher wins when several symbols share an address (see `collect`).
    var rank: UInt8
  }

  private static let sizedRank: UInt8 = 64

  /// Entries sorted by start address, one per address.
  public private(set) var entries: [Entry] = []
  /// The other symbols at an entry's address (aliases such as libc's `free` beside `cfree`),
  /// sorted by start: symbolization shows one name, probe patterns match any of them.
  private var aliasEntries: [Entry] = []
  private var sources: [UnsafeRawBufferPointer] = []

  /// An empty table.
  public init() {}

  /// The code symbols of `files` (e.g. a binary and its separate debug file).
  public init(files: [ELFFile]) {
    var all: [Entry] = []
    for (index, file) in files.prefix(255).enumerated() {
      sources.append(file.bytes)
      ELFSymbolTable.collect(from: file, source: UInt8(index), into: &all)
    }
    all.sort { $0.start != $1.start ? $0.start < $1.start : $0.rank > $1.rank }
    // One entry per address: the best rank, and among equals the longest name (as perf does).
    var unique: [Entry] = []
    unique.reserveCapacity(all.count)
    var i = 0
    while i < all.count {
      var best = i
      var j = i + 1
      while j < all.count, all[j].start == all[i].start {
        if all[j].rank == all[i].rank, nameLength(all[j]) > nameLength(all[best]) { best = j }
        j += 1
      }
      unique.append(all[best])
      for k in i..<j where k != best { aliasEntries.append(all[k]) }
      i = j
    }
    // Symbols without a size extend to the next symbol, but not past their section's end.
    for i in unique.indices where unique[i].rank & ELFSymbolTable.sizedRank == 0 {
      let next = i + 1 < unique.count ? unique[i + 1].start : UInt64.max
      unique[i].end = min(unique[i].end, next)
    }
    entries = unique
  }

  /// Appends the FUNC, IFUNC and (in executable sections) NOTYPE symbols of `file`.
  private static func collect(from file: ELFFile, source: UInt8, into out: inout [Entry]) {
    for table in file.sections where table.type == 2 || table.type == 11 {  // SHT_SYMTAB, SHT_DYNSYM
      guard let data = file.data(of: table), Int(table.link) < file.sections.count else { continue }
      let strings = file.sections[Int(table.link)]
      guard !strings.hasNoBits, file.bytes.slice(offset: strings.offset, size: strings.size) != nil else { continue }
      let entrySize = max(Int(min(table.entrySize, 1 << 16)), 24)
      let count = data.count / entrySize
      guard count > 1 else { continue }
      out.reserveCapacity(out.count + count)
      let isSymtab = table.type == 2
      for i in 1..<count {
        let o = i * entrySize
        guard let nameIndex = data.readLE(UInt32.self, at: o), let info = data.readLE(UInt8.self, at: o + 4),
          let shndx = data.readLE(UInt16.self, at: o + 6), let value = data.readLE(UInt64.self, at: o + 8),
          let size = data.readLE(UInt64.self, at: o + 16)
        else { break }
        let type = info & 0xf
        let bind = info >> 4
        guard type == 2 || type == 10 || type == 0, nameIndex != 0, value != 0 else { continue }
        guard shndx != 0, shndx < 0xff00, Int(shndx) < file.sections.count else { continue }
        let section = file.sections[Int(shndx)]
        guard section.isExecutable, UInt64(nameIndex) < strings.size else { continue }
        let nameOffset = strings.offset + UInt64(nameIndex)
        if type == 0 {
          // Skip assembler-local labels and ARM/AArch64 mapping symbols.
          let first = file.bytes.readLE(UInt8.self, at: Int(nameOffset)) ?? 0
          if first == UInt8(ascii: "$") || first == 0 { continue }
          if first == UInt8(ascii: "."), file.bytes.readLE(UInt8.self, at: Int(nameOffset) + 1) == UInt8(ascii: "L") {
            continue
          }
        }
        // Among aliases choose as perf does: a sized symbol, then a non-weak one, then a
        // global one (so `__getpid` beats libc's internal `__GI_getpid`), then the one with
        // fewer leading underscores; then a typed one, then `.symtab` over `.dynsym`.
        var underscores = 0
        while underscores < 3, file.bytes.readLE(UInt8.self, at: Int(nameOffset) + underscores) == UInt8(ascii: "_") {
          underscores += 1
        }
        var rank: UInt8 = UInt8(3 - underscores) << 2
        if size > 0 { rank |= ELFSymbolTable.sizedRank }
        if bind != 2 { rank |= 32 }  // not STB_WEAK
        if bind == 1 { rank |= 16 }  // STB_GLOBAL
        if type != 0 { rank |= 2 }
        if isSymtab { rank |= 1 }
        let sectionEnd = section.address &+ section.size
        // Unsized symbols get their section's end here and are cut at the next symbol later.
        let end = size > 0 ? value &+ size : (sectionEnd > value ? sectionEnd : value &+ 1)
        out.append(Entry(start: value, end: end, nameOffset: nameOffset, source: source, rank: rank))
      }
    }
  }

  private func nameLength(_ e: Entry) -> Int {
    guard Int(e.source) < sources.count else { return 0 }
    let bytes = sources[Int(e.source)]
    var n = 0
    while let c = bytes.readLE(UInt8.self, at: Int(e.nameOffset) + n), c != 0 { n += 1 }
    return n
  }

  /// Number of symbols.
  public var count: Int { entries.count }

  /// The index of the symbol covering `address`, or nil.
  public func index(containing address: UInt64) -> Int? {
    let lo = entries.upperBound(of: address) { $0.start }
    // lo is the first entry starting after `address`; look back a little for enclosing symbols.
    var i = lo - 1
    var tries = 0
    while i >= 0, tries < 4 {
      if address < entries[i].end { return i }
      i -= 1
      tries += 1
    }
    return nil
  }

  /// Every raw name at entry `index`'s address: its own first, then its aliases' (distinct).
  public func names(of index: Int) -> [String] {
    var result = [name(of: index)]
    let start = entries[index].start
    var i = aliasEntries.upperBound(of: start &- 1) { $0.start }
    if start == 0 { i = 0 }
    while i < aliasEntries.count, aliasEntries[i].start == start {
      let e = aliasEntries[i]
      if Int(e.source) < sources.count, let n = sources[Int(e.source)].cString(at: Int(e.nameOffset)),
        !result.contains(n)
      {
        result.append(n)
      }
      i += 1
    }
    return result
  }

  /// The raw (mangled) name of entry `index`.
  public func name(of index: Int) -> String {
    let e = entries[index]
    guard Int(e.source) < sources.count else { return "" }
    return sources[Int(e.source)].cString(at: Int(e.nameOffset)) ?? ""
  }
}

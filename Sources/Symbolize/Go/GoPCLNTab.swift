/// Function names from a Go binary's `.gopclntab`, for Go binaries stripped of `.symtab`
/// (`-ldflags=-s`, or GNU `strip`): the Go runtime needs this table, so it is always there.
///
/// Pure: reads the section's bytes. Supports the layouts of Go 1.16–1.17 (magic 0xfffffffa)
/// and Go 1.18 and later (0xfffffff0, 0xfffffff1). Names for all; file and line tables
/// (what `list` needs when there is no DWARF) for Go 1.18 and later.
public struct GoPCLNTab {
  private let table: UnsafeRawBufferPointer
  private let functab: Int
  private let funcData: Int
  private let nameTable: Int
  private let count: Int
  private let textStart: UInt64
  /// Entries are (pc offset, func offset) as uint32 pairs (1.18+) or pointer-sized pairs.
  private let wide: Bool
  /// Offsets of the compilation-unit file index, the file names and the pc-value tables
  /// (Go 1.18+; nil for older layouts, whose line tables are not read).
  private let lineTables: (cuTab: Int, fileTab: Int, pcTab: Int)?
  /// Go 1.20+ `_func` has `startLine` (magic 0xfffffff1).
  private let hasStartLine: Bool
  /// The instruction size quantum (1 on x86-64).
  private let quantum: UInt64

  /// Parses the header of `section` (the `.gopclntab` contents); nil for an unknown layout
  /// or a header that points outside the section. `textAddress` is the `.text` address,
  /// used when the header's own text start was left for a relocation to fill.
  public init?(section: UnsafeRawBufferPointer, textAddress: UInt64) {
    guard let magic = section.readLE(UInt32.self, at: 0), section.readLE(UInt8.self, at: 7) == 8,
      let nfunc = section.readLE(UInt64.self, at: 8), nfunc < 1 << 24
    else { return nil }
    table = section
    count = Int(nfunc)
    switch magic {
    case 0xffff_fff0, 0xffff_fff1:
      guard let text = section.readLE(UInt64.self, at: 24), let names = section.readLE(UInt64.self, at: 32),
        let cu = section.readLE(UInt64.self, at: 40), let files = section.readLE(UInt64.self, at: 48),
        let pc = section.readLE(UInt64.self, at: 56), let pcln = section.readLE(UInt64.self, at: 64)
      else { return nil }
      textStart = text != 0 ? text : textAddress
      nameTable = Int(clamping: names)
      functab = Int(clamping: pcln)
      funcData = Int(clamping: pcln)
      wide = false
      lineTables = (Int(clamping: cu), Int(clamping: files), Int(clamping: pc))
      hasStartLine = magic == 0xffff_fff1
    case 0xffff_fffa:
      guard let names = section.readLE(UInt64.self, at: 24), let pcln = section.readLE(UInt64.self, at: 56) else {
        return nil
      }
      textStart = 0
      nameTable = Int(clamping: names)
      functab = Int(clamping: pcln)
      funcData = Int(clamping: pcln)
      wide = true
      lineTables = nil
      hasStartLine = false
    default:
      return nil
    }
    quantum = max(1, UInt64(section.readLE(UInt8.self, at: 6) ?? 1))
    let entrySize = wide ? 16 : 8
    guard functab >= 0, functab + (count + 1) * entrySize <= section.count, nameTable >= 0, nameTable < section.count
    else { return nil }
  }

  /// Number of functions in the table.
  public var functionCount: Int { count }

  private func entry(_ i: Int) -> (pc: UInt64, funcOffset: Int)? {
    if wide {
      let o = functab + i * 16
      guard let pc = table.readLE(UInt64.self, at: o), let f = table.readLE(UInt64.self, at: o + 8) else { return nil }
      return (pc, Int(clamping: f))
    }
    let o = functab + i * 8
    guard let pc = table.readLE(UInt32.self, at: o), let f = table.readLE(UInt32.self, at: o + 4) else { return nil }
    return (textStart &+ UInt64(pc), Int(f))
  }

  /// The `index`th function of the table (by address): its name and link-time bounds (the
  /// end is the next function's start); nil when the entry is unreadable.
  public func function(at index: Int) -> (name: String, start: UInt64, end: UInt64)? {
    guard index >= 0, index < count, let e = entry(index), let next = entry(index + 1), next.pc > e.pc,
      let name = functionName(containing: e.pc)
    else { return nil }
    return (name, e.pc, next.pc)
  }

  /// The name of the function containing the link-time address `address`.
  public func functionName(containing address: UInt64) -> String? {
    guard let e = functionEntry(containing: address) else { return nil }
    // _func starts with the entry (uintptr before 1.18, uint32 after) and then nameOff int32.
    let nameField = funcData + e.funcOffset + (wide ? 8 : 4)
    guard let nameOffset = table.readLE(Int32.self, at: nameField), nameOffset >= 0 else { return nil }
    guard let name = table.cString(at: nameTable + Int(nameOffset)), !name.isEmpty else { return nil }
    return name
  }

  /// The source file and line of the instruction at `address`, and the function's first
  /// line (0 before Go 1.20), from the pcfile and pcln tables; nil when not known.
  public func sourcePosition(containing address: UInt64) -> (file: String, line: Int64, startLine: Int64)? {
    guard let tables = lineTables, let e = functionEntry(containing: address) else { return nil }
    let f = funcData + e.funcOffset
    // Go 1.18+ _func: entryOff u32, nameOff i32, args i32, deferreturn u32, pcsp u32,
    // pcfile u32 (20), pcln u32 (24), npcdata u32, cuOffset u32 (32), startLine i32 (36, 1.20+).
    guard let pcfile = table.readLE(UInt32.self, at: f + 20), let pcln = table.readLE(UInt32.self, at: f + 24),
      let cuOffset = table.readLE(UInt32.self, at: f + 32),
      let fileIndex = pcValue(tables.pcTab + Int(pcfile), entry: e.pc, target: address),
      let line = pcValue(tables.pcTab + Int(pcln), entry: e.pc, target: address), fileIndex >= 0, line > 0
    else { return nil }
    let cuSlot = tables.cuTab + (Int(cuOffset) + Int(fileIndex)) * 4
    guard let fileOffset = table.readLE(UInt32.self, at: cuSlot), fileOffset != .max,
      let file = table.cString(at: tables.fileTab + Int(fileOffset)), !file.isEmpty
    else { return nil }
    let start = hasStartLine ? Int64(table.readLE(Int32.self, at: f + 36) ?? 0) : 0
    return (file, Int64(line), start)
  }

  /// Decodes a pc-value table at `offset` (zig-zag value deltas and pc deltas as varints,
  /// starting at value -1 and the function's entry) and returns the value at `target`.
  private func pcValue(_ offset: Int, entry: UInt64, target: UInt64) -> Int32? {
    var at = offset
    var pc = entry
    var value: Int32 = -1
    var first = true
    func varint() -> UInt32? {
      var result: UInt32 = 0
      var shift: UInt32 = 0
      while let b = table.readLE(UInt8.self, at: at) {
        at += 1
        if shift < 32 { result |= UInt32(b & 0x7f) << shift }
        if b & 0x80 == 0 { return result }
        shift += 7
        if shift > 35 { return nil }
      }
      return nil
    }
    var steps = 0
    while steps < 1 << 20 {
      steps += 1
      guard let uvdelta = varint() else { return nil }
      if uvdelta == 0 && !first { return nil }
      first = false
      let magnitude = Int32(bitPattern: uvdelta >> 1)
      let delta = uvdelta & 1 != 0 ? ~magnitude : magnitude
      guard let pcDelta = varint() else { return nil }
      pc &+= UInt64(pcDelta) &* quantum
      value &+= delta
      if target < pc { return value }
    }
    return nil
  }

  /// The functab entry of the function holding `address`.
  private func functionEntry(containing address: UInt64) -> (pc: UInt64, funcOffset: Int)? {
    guard count > 0, let first = entry(0), let last = entry(count), address >= first.pc, address < last.pc else {
      return nil
    }
    var lo = 0
    var hi = count
    while lo < hi {
      let mid = (lo + hi) / 2
      guard let e = entry(mid) else { return nil }
      if e.pc <= address { lo = mid + 1 } else { hi = mid }
    }
    guard lo > 0, let e = entry(lo - 1) else { return nil }
    return e
  }
}

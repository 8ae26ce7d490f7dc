/// Function names from a Go binary's `.gopclntab`, for Go binaries stripped of `.symtab`
/// (`-ldflags=-s`, or GNU `strip`): the Go runtime needs this table, so it is always there.
///
/// Pure: reads the section's bytes. Supports the layouts of Go 1.16–1.17 (magic 0xfffffffa)
/// and Go 1.18 and later (0xfffffff0, 0xfffffff1). Only names are read; line tables are not.
public struct GoPCLNTab {
  private let table: UnsafeRawBufferPointer
  private let functab: Int
  private let funcData: Int
  private let nameTable: Int
  private let count: Int
  private let textStart: UInt64
  /// Entries are (pc offset, func offset) as uint32 pairs (1.18+) or pointer-sized pairs.
  private let wide: Bool

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
        let pcln = section.readLE(UInt64.self, at: 64)
      else { return nil }
      textStart = text != 0 ? text : textAddress
      nameTable = Int(clamping: names)
      functab = Int(clamping: pcln)
      funcData = Int(clamping: pcln)
      wide = false
    case 0xffff_fffa:
      guard let names = section.readLE(UInt64.self, at: 24), let pcln = section.readLE(UInt64.self, at: 56) else { return nil }
      textStart = 0
      nameTable = Int(clamping: names)
      functab = Int(clamping: pcln)
      funcData = Int(clamping: pcln)
      wide = true
    default:
      return nil
    }
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

  /// The name of the function containing the link-time address `address`.
  public func functionName(containing address: UInt64) -> String? {
    guard count > 0, let first = entry(0), let last = entry(count), address >= first.pc, address < last.pc else { return nil }
    var lo = 0
    var hi = count
    while lo < hi {
      let mid = (lo + hi) / 2
      guard let e = entry(mid) else { return nil }
      if e.pc <= address { lo = mid + 1 } else { hi = mid }
    }
    guard lo > 0, let e = entry(lo - 1) else { return nil }
    // _func starts with the entry (uintptr before 1.18, uint32 after) and then nameOff int32.
    let nameField = funcData + e.funcOffset + (wide ? 8 : 4)
    guard let nameOffset = table.readLE(Int32.self, at: nameField), nameOffset >= 0 else { return nil }
    guard let name = table.cString(at: nameTable + Int(nameOffset)), !name.isEmpty else { return nil }
    return name
  }
}

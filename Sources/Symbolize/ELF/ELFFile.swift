/// A parsed view of a 64-bit little-endian ELF file over bytes the caller keeps alive.
///
/// Only headers are decoded up front; section contents are sliced on demand. Every offset
/// and size read from the file is bounds-checked, so a truncated or corrupt file throws
/// (or yields empty tables) and never crashes.
public struct ELFFile {
  /// A program header (segment).
  public struct Segment: Equatable, Sendable {
    /// p_type (PT_LOAD = 1, PT_NOTE = 4, …).
    public var type: UInt32
    /// p_flags (PF_X = 1, PF_W = 2, PF_R = 4).
    public var flags: UInt32
    /// p_offset: where the segment starts in the file.
    public var offset: UInt64
    /// p_vaddr: the link-time address of its first byte.
    public var virtualAddress: UInt64
    /// p_filesz.
    public var fileSize: UInt64
    /// p_memsz.
    public var memorySize: UInt64
  }

  /// A section header with its name resolved.
  public struct Section: Equatable, Sendable {
    /// Name from the section-name string table.
    public var name: String
    /// sh_type (SHT_SYMTAB = 2, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_DYNSYM = 11, …).
    public var type: UInt32
    /// sh_flags (SHF_EXECINSTR = 4, SHF_COMPRESSED = 0x800, …).
    public var flags: UInt64
    /// sh_addr: link-time address (0 for non-allocated sections).
    public var address: UInt64
    /// sh_offset: where the contents start in the file.
    public var offset: UInt64
    /// sh_size in bytes.
    public var size: UInt64
    /// sh_link: e.g. the string table of a symbol table.
    public var link: UInt32
    /// sh_info.
    public var info: UInt32
    /// sh_entsize: size of one entry for tables.
    public var entrySize: UInt64
    /// True for SHT_NOBITS sections (.bss, and stripped-out code in debug files).
    public var hasNoBits: Bool { type == ELFFile.sectionNoBits }
    /// True when the section holds executable code.
    public var isExecutable: Bool { flags & 0x4 != 0 }
  }

  static let sectionNoBits: UInt32 = 8
  static let segmentLoad: UInt32 = 1
  static let segmentNote: UInt32 = 4

  /// The file's bytes (not owned).
  public let bytes: UnsafeRawBufferPointer
  /// ET_EXEC (2), ET_DYN (3), …
  public let fileType: UInt16
  /// e_machine (EM_X86_64 = 62, EM_AARCH64 = 183).
  public let machine: UInt16
  /// Program headers, in file order.
  public let segments: [Segment]
  /// Section headers, in file order, with names resolved.
  public let sections: [Section]

  /// Parses the ELF header, program headers and section headers of `bytes`.
  /// `path` only names the file in errors.
  public init(bytes: UnsafeRawBufferPointer, path: String) throws(SymbolizeError) {
    self.bytes = bytes
    guard bytes.count >= 64 else { throw .notELF(path: path, reason: "file is only \(bytes.count) bytes") }
    guard bytes.readLE(UInt32.self, at: 0) == 0x464c_457f else { throw .notELF(path: path, reason: "no ELF magic") }
    guard bytes.readLE(UInt8.self, at: 4) == 2 else { throw .notELF(path: path, reason: "not a 64-bit ELF file") }
    guard bytes.readLE(UInt8.self, at: 5) == 1 else { throw .notELF(path: path, reason: "not little-endian") }
    fileType = bytes.readLE(UInt16.self, at: 16) ?? 0
    machine = bytes.readLE(UInt16.self, at: 18) ?? 0
    let phoff = bytes.readLE(UInt64.self, at: 32) ?? 0
    let shoff = bytes.readLE(UInt64.self, at: 40) ?? 0
    let phentsize = UInt64(bytes.readLE(UInt16.self, at: 54) ?? 0)
    var phnum = UInt64(bytes.readLE(UInt16.self, at: 56) ?? 0)
    let shentsize = UInt64(bytes.readLE(UInt16.self, at: 58) ?? 0)
    var shnum = UInt64(bytes.readLE(UInt16.self, at: 60) ?? 0)
    var shstrndx = UInt64(bytes.readLE(UInt16.self, at: 62) ?? 0)

    // Extended numbering keeps the real counts in section header 0.
    if shoff != 0, shentsize >= 64, let first = bytes.slice(offset: shoff, size: 64) {
      if shnum == 0 { shnum = first.readLE(UInt64.self, at: 32) ?? 0 }
      if shstrndx == 0xffff { shstrndx = UInt64(first.readLE(UInt32.self, at: 40) ?? 0) }
      if phnum == 0xffff { phnum = UInt64(first.readLE(UInt32.self, at: 44) ?? 0) }
    }

    var segments: [Segment] = []
    if phoff != 0, phnum > 0 {
      let (tableSize, overflow) = phnum.multipliedReportingOverflow(by: phentsize)
      guard phentsize >= 56, !overflow, let table = bytes.slice(offset: phoff, size: tableSize) else {
        throw .truncated(path: path, what: "program header table", offset: phoff)
      }
      segments.reserveCapacity(Int(phnum))
      for i in 0..<Int(phnum) {
        let o = i * Int(phentsize)
        segments.append(
          Segment(
            type: table.readLE(UInt32.self, at: o) ?? 0, flags: table.readLE(UInt32.self, at: o + 4) ?? 0,
            offset: table.readLE(UInt64.self, at: o + 8) ?? 0,
            virtualAddress: table.readLE(UInt64.self, at: o + 16) ?? 0,
            fileSize: table.readLE(UInt64.self, at: o + 32) ?? 0, memorySize: table.readLE(UInt64.self, at: o + 40) ?? 0
          ))
      }
    }
    self.segments = segments

    var sections: [Section] = []
    if shoff != 0, shnum > 0 {
      let (tableSize, overflow) = shnum.multipliedReportingOverflow(by: shentsize)
      guard shentsize >= 64, !overflow, let table = bytes.slice(offset: shoff, size: tableSize) else {
        throw .truncated(path: path, what: "section header table", offset: shoff)
      }
      var nameOffsets: [UInt32] = []
      sections.reserveCapacity(Int(shnum))
      for i in 0..<Int(shnum) {
        let o = i * Int(shentsize)
        nameOffsets.append(table.readLE(UInt32.self, at: o) ?? 0)
        sections.append(
          Section(
            name: "", type: table.readLE(UInt32.self, at: o + 4) ?? 0, flags: table.readLE(UInt64.self, at: o + 8) ?? 0,
            address: table.readLE(UInt64.self, at: o + 16) ?? 0, offset: table.readLE(UInt64.self, at: o + 24) ?? 0,
            size: table.readLE(UInt64.self, at: o + 32) ?? 0, link: table.readLE(UInt32.self, at: o + 40) ?? 0,
            info: table.readLE(UInt32.self, at: o + 44) ?? 0, entrySize: table.readLE(UInt64.self, at: o + 56) ?? 0))
      }
      if shstrndx < shnum {
        let strtab = sections[Int(shstrndx)]
        if let names = bytes.slice(offset: strtab.offset, size: strtab.size) {
          for i in sections.indices { sections[i].name = names.cString(at: Int(nameOffsets[i])) ?? "" }
        }
      }
    }
    self.sections = sections
  }

  /// The first section called `name`, if any.
  public func section(named name: String) -> Section? { sections.first { $0.name == name } }

  /// The contents of `section`, or nil for SHT_NOBITS or a section that lies outside the file.
  public func data(of section: Section) -> UnsafeRawBufferPointer? {
    if section.hasNoBits { return nil }
    return bytes.slice(offset: section.offset, size: section.size)
  }

  /// True when the file carries DWARF debug information (plain or compressed).
  public var hasDebugInfo: Bool {
    sections.contains { ($0.name == ".debug_info" || $0.name == ".zdebug_info") && !$0.hasNoBits && $0.size > 0 }
  }

  /// Translates an offset in the file to the address the linker assigned (the SVMA),
  /// through the PT_LOAD segment containing it; nil when no segment contains it.
  public func linkAddress(forFileOffset offset: UInt64) -> UInt64? {
    for s in segments where s.type == ELFFile.segmentLoad {
      if offset >= s.offset, offset - s.offset < max(s.fileSize, 1) {
        return offset &- s.offset &+ s.virtualAddress
      }
    }
    return nil
  }

  /// Translates a link-time address to its offset in the file, through the PT_LOAD segment
  /// holding it; nil when no segment's file bytes hold it.
  public func fileOffset(forLinkAddress address: UInt64) -> UInt64? {
    for s in segments where s.type == ELFFile.segmentLoad {
      if address >= s.virtualAddress, address - s.virtualAddress < s.fileSize {
        return address - s.virtualAddress + s.offset
      }
    }
    return nil
  }

  /// The size of the memory image described by the headers: the end of the furthest
  /// segment, section or header table (used to size the vDSO image).
  static func imageSize(header: UnsafeRawBufferPointer) -> Int? {
    guard header.readLE(UInt32.self, at: 0) == 0x464c_457f,
      let shoff = header.readLE(UInt64.self, at: 40), let shentsize = header.readLE(UInt16.self, at: 58),
      let shnum = header.readLE(UInt16.self, at: 60)
    else { return nil }
    let end = shoff &+ UInt64(shentsize) &* UInt64(shnum)
    return end > 0 && end < 1 << 24 ? Int(end) : nil
  }
}

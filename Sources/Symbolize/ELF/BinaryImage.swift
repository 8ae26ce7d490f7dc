/// One resolved frame: a raw symbol name (nil when nothing names it) and its source position.
struct ResolvedFrame: Equatable, Sendable {
  var rawName: String?
  var file: String
  var line: Int64
  var column: Int64
  var declarationLine: Int64
}

/// A binary opened for symbolization: its mapped bytes, parsed headers, code symbols (from the
/// binary and its separate debug file) and DWARF. Opened once per path and build id and kept
/// by the `Symbolizer`, so later lookups only cost a binary search.
final class BinaryImage {
  let path: String
  /// The binary and its separate debug file, from the shell's one `ObjectFileCache`.
  private let object: ObjectFile
  private let debugObject: ObjectFile?
  /// The decompressed MiniDebugInfo (`.gnu_debugdata`) when the binary has no `.symtab`.
  private let miniDebugFile: MappedFile?
  /// Function extents from the CFI, for naming addresses no symbol covers.
  private var cfi: CFITable?
  let elf: ELFFile
  let symbols: ELFSymbolTable
  /// Go function names (for Go binaries without `.symtab`) and lines (without DWARF).
  private let goTable: GoPCLNTab?
  let buildID: String
  /// Path of the file the DWARF came from ("" when there is none).
  let dwarfPath: String
  private let dwarf: DWARFSession?
  private var cache: [UInt64: [ResolvedFrame]] = [:]

  /// Opens the ELF file at `path` and looks for its debug file under `debugRoots`.
  init(path: String, debugRoots: [String]) throws(SymbolizeError) {
    let object = try ObjectFileCache.shared.open(path)
    let elf = object.elf
    let buildID = elf.buildIDHex
    var debugObject: ObjectFile? = nil
    var debugELF: ELFFile? = nil
    var debugPath = ""
    let needsDebug = !elf.hasDebugInfo || elf.section(named: ".symtab") == nil
    if needsDebug {
      for candidate in DebugFileLocator.candidates(
        forBinary: path, buildID: buildID, debugLink: elf.debugLink?.name, debugRoots: debugRoots)
      {
        guard let opened = try? ObjectFileCache.shared.open(candidate) else { continue }
        let candidateID = opened.elf.buildIDHex
        if !buildID.isEmpty, !candidateID.isEmpty, candidateID != buildID { continue }
        debugELF = opened.elf
        debugPath = candidate
        debugObject = opened
        break
      }
    }
    var symbolSources = [elf]
    if let d = debugELF { symbolSources.append(d) }
    var miniDebugFile: MappedFile? = nil
    if !symbolSources.contains(where: { $0.section(named: ".symtab") != nil }),
      let mini = MiniDebugInfo.decompress(elf, path: path)
    {
      if let parsed = try? ELFFile(bytes: mini.bytes, path: mini.path) { symbolSources.append(parsed) }
      miniDebugFile = consume mini
    }
    self.symbols = ELFSymbolTable(files: symbolSources)
    self.goTable = BinaryImage.goTable(elf)
    if let d = debugELF, d.hasDebugInfo {
      dwarf = DWARFSession(path: debugPath)
      dwarfPath = dwarf == nil ? "" : debugPath
    } else if elf.hasDebugInfo {
      dwarf = DWARFSession(path: path)
      dwarfPath = dwarf == nil ? "" : path
    } else {
      dwarf = nil
      dwarfPath = ""
    }
    self.path = path
    self.elf = elf
    self.buildID = buildID
    self.object = object
    self.debugObject = debugObject
    self.miniDebugFile = miniDebugFile
    self.cfi = nil
  }

  /// Wraps an ELF image already in memory (the vDSO); symbols only, no DWARF.
  init(memory: UnsafeRawBufferPointer, name: String) throws(SymbolizeError) {
    let object = try ObjectFile(file: MappedFile(borrowing: memory, name: name))
    let elf = object.elf
    self.path = name
    self.elf = elf
    self.symbols = ELFSymbolTable(files: [elf])
    self.goTable = nil
    self.buildID = elf.buildIDHex
    self.dwarf = nil
    self.dwarfPath = ""
    self.object = object
    self.debugObject = nil
    self.miniDebugFile = nil
    self.cfi = nil
  }

  private static func goTable(_ elf: ELFFile) -> GoPCLNTab? {
    guard let section = elf.section(named: ".gopclntab"), let data = elf.data(of: section) else { return nil }
    return GoPCLNTab(section: data, textAddress: elf.section(named: ".text")?.address ?? 0)
  }

  /// True when DWARF is available (line numbers and inline frames).
  var hasDWARF: Bool { dwarf != nil }

  /// The link-time address for a file offset (the offset itself when no segment holds it).
  func linkAddress(forFileOffset offset: UInt64) -> UInt64 {
    elf.linkAddress(forFileOffset: offset) ?? offset
  }

  /// Does one lookup in the middle of the symbol table so the DWARF sections are read and
  /// inflated now (on a background queue) rather than at the first real lookup.
  func warmUp() {
    guard !symbols.entries.isEmpty else { return }
    _ = frames(at: symbols.entries[symbols.entries.count / 2].start)
    cache.removeAll()
  }

  /// The file offset of the start of the function holding link address `address`, from the
  /// CFI (`.eh_frame`, `.debug_frame`), which describes every function even in a stripped
  /// binary; nil when no FDE covers it.
  func functionStartOffset(containing address: UInt64) -> UInt64? {
    if cfi == nil { cfi = CFITable(elf: elf) }
    guard let range = cfi?.functionRange(containing: address) else { return nil }
    return elf.fileOffset(forLinkAddress: range.lowerBound)
  }

  /// Frames for a link-time address, innermost first; empty when nothing is known about it.
  func frames(at address: UInt64) -> [ResolvedFrame] {
    if let hit = cache[address] { return hit }
    let symbolName =
      symbols.index(containing: address).map { symbols.name(of: $0) }
      ?? goTable?.functionName(containing: address)
    var result: [ResolvedFrame] = []
    let source = dwarf?.frames(at: address) ?? []
    if source.isEmpty {
      if let name = symbolName {
        // Without DWARF a Go binary still has file and line tables in .gopclntab.
        let go = dwarf == nil ? goTable?.sourcePosition(containing: address) : nil
        result = [
          ResolvedFrame(
            rawName: name, file: go?.file ?? "", line: go?.line ?? 0, column: 0, declarationLine: go?.startLine ?? 0)
        ]
      }
    } else {
      result = source.enumerated().map { i, f in
        // The outermost frame is the real function: name it as its ELF symbol does (as perf
        // does; DWARF may name an assembler label or drop a `.cold` suffix), else from DWARF.
        let name = i == source.count - 1 ? (symbolName ?? f.rawName) : f.rawName
        return ResolvedFrame(
          rawName: name, file: f.file, line: f.line, column: f.column, declarationLine: f.declarationLine)
      }
    }
    cache[address] = result
    return result
  }
}

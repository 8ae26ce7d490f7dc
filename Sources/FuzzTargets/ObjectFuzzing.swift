import Glibc
import Symbolize
import Syscalls

/// Object files: ELF headers and tables, call frame information, and DWARF through libdw.
enum ObjectFuzzing {
  static func elf(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let file: ELFFile
    do {
      file = try ELFFile(bytes: bytes, path: "fuzz.elf")
    } catch {
      return rejected(error.description)
    }
    require(file.sections.count <= bytes.count / 64, "more sections than the file can hold")
    _ = (file.buildID, file.buildIDHex, file.debugLink, file.hasDebugInfo)
    for s in file.sections { _ = file.data(of: s) }
    for s in file.segments.prefix(8) { _ = file.linkAddress(forFileOffset: s.offset) }
    let symbols = ELFSymbolTable(files: [file])
    for i in stride(from: 0, to: symbols.count, by: max(1, symbols.count / 32)) {
      let e = symbols.entries[i]
      _ = symbols.name(of: i)
      if let found = symbols.index(containing: e.start) { _ = symbols.name(of: found) }
    }
    if let pcln = file.section(named: ".gopclntab"), let data = file.data(of: pcln) {
      let text = file.section(named: ".text")?.address ?? 0
      if let table = GoPCLNTab(section: data, textAddress: text) {
        for a in [text, text &+ 1, text &+ 0x40, text &+ 0x1000] { _ = table.functionName(containing: a) }
        for i in [0, 1, table.functionCount / 2, table.functionCount - 1] {
          if let f = table.function(at: i) { require(f.end > f.start, "a pclntab function ends after it starts") }
        }
      }
      _ = GoFunctionList.sites(in: file, path: "fuzz.elf").prefix(4)
    }
    var cfi = CFITable(elf: file)
    lookUpRows(&cfi, extra: symbols.entries.prefix(8).map(\.start))
    return .accepted(items: symbols.count + file.sections.count)
  }

  /// Go probe placement of `bytes` taken as one function's code at 0x401000.
  static func goCode(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let start: UInt64 = 0x40_1000
    guard let p = GoProbePlacement.place(code: bytes, start: start, size: UInt64(bytes.count)) else {
      return .rejected("not decodable to its end")
    }
    let size = UInt64(bytes.count)
    require(p.entryOffset < size, "the entry probe lies inside the function")
    for o in p.returnOffsets + p.exitOffsets + p.restartOffsets {
      require(o < size, "probe offsets lie inside the function")
    }
    // (The check's branch may be the first instruction of fuzzed code, never of real Go code.)
    require(
      p.restartOffsets.isEmpty || p.entryInstruction.hasPrefix("j"),
      "a restart probe only with an entry on the stack check")
    return .accepted(items: 1 + p.returnOffsets.count + p.exitOffsets.count)
  }

  static func cfi(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    guard let mode = bytes.first else { return .rejected("empty") }
    let body = UnsafeRawBufferPointer(rebasing: bytes[1...])
    var sections: [TinyELF.Section] = []
    switch mode & 3 {
    case 0:
      sections = [.init(name: ".eh_frame", address: 0x2000, bytes: Array(body))]
    case 1:
      sections = [.init(name: ".debug_frame", address: 0, bytes: Array(body))]
    case 2:
      let split = body.count / 2
      sections = [
        .init(name: ".eh_frame", address: 0x2000, bytes: Array(body[..<split])),
        .init(name: ".debug_frame", address: 0, bytes: Array(body[split...])),
      ]
    default:
      // Next byte: length of the first part; the second part follows it in memory, 8-aligned,
      // as linkers lay them out. Bit 2 of the mode: .eh_frame first, else .eh_frame_hdr first.
      guard let n = body.first.map(Int.init), body.count > n else { return .rejected("no header split") }
      let first = Array(body[(body.startIndex + 1)..<(body.startIndex + 1 + n)])
      let second = Array(body[(body.startIndex + 1 + n)...])
      let names = mode & 4 != 0 ? (".eh_frame", ".eh_frame_hdr") : (".eh_frame_hdr", ".eh_frame")
      sections = [
        .init(name: names.0, address: 0x1000, bytes: first),
        .init(name: names.1, address: 0x1000 + UInt64((n + 7) & ~7), bytes: second),
      ]
    }
    let image = TinyELF.build(sections)
    return image.withUnsafeBytes { raw -> FuzzOutcome in
      guard let file = try? ELFFile(bytes: raw, path: "fuzz-cfi") else {
        require(false, "TinyELF built an ELF that does not parse")
        return .rejected("bad image")
      }
      var table = CFITable(elf: file)
      let rows = lookUpRows(&table, extra: [0x1000, 0x2000, 0x2010])
      return .accepted(items: rows)
    }
  }

  static func dwarf(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    guard let file = try? ELFFile(bytes: bytes, path: "fuzz.elf"), file.hasDebugInfo else {
      return .rejected("no ELF file with DWARF")
    }
    let path = FilePath("/tmp/perfsh-fuzz-dwarf-\(getpid()).elf")
    do {
      let fd = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
      _ = try fd.closeAfter { try fd.writeAll(bytes) }
    } catch {
      return .rejected("cannot write \(path): \(error)")
    }
    defer { unlink(path.string) }
    guard let session = DWARFSession(path: path.string) else { return .rejected("libdw refused the file") }
    let symbols = ELFSymbolTable(files: [file])
    var addresses: [UInt64] = [0, 0x1000, 0x1130, 0x401000]
    for i in stride(from: 0, to: symbols.count, by: max(1, symbols.count / 16)) {
      addresses += [symbols.entries[i].start, symbols.entries[i].start &+ 4]
    }
    var frames = 0
    for a in addresses { frames += session.frames(at: a).count }
    return .accepted(items: frames)
  }

  /// Rows at the table's function starts and a few more addresses; expressions evaluated
  /// against fixed register and memory values. Returns the number of rows found.
  @discardableResult
  private static func lookUpRows(_ table: inout CFITable, extra: [UInt64]) -> Int {
    var found = 0
    _ = (table.source, table.count, table.isEmpty)
    for start in table.functionStarts(limit: 12) + extra {
      for address in [start, start &+ 1, start &+ 7] {
        guard let row = table.row(at: address) else { continue }
        found += 1
        require(row.registers.count == CFIRow.registerCount, "row with \(row.registers.count) registers")
        let registers: (UInt16) -> UInt64? = { $0 < 17 ? 0x7ff0_0000 + UInt64($0) * 8 : nil }
        let memory: (UInt64) -> UInt64? = { $0 & 7 == 0 ? $0 ^ 0x5555 : nil }
        if case .expression(let e) = row.cfa { _ = e.evaluate(initial: nil, register: registers, memory: memory) }
        for rule in row.registers {
          switch rule {
          case .expression(let e), .valueExpression(let e):
            _ = e.evaluate(initial: 0x7ff0_1000, register: registers, memory: memory)
          default: break
          }
        }
      }
    }
    return found
  }
}

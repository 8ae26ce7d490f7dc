import CLibDW
import Glibc

/// One frame of DWARF source information: a function (possibly inlined) and the line in it.
public struct SourceFrame: Equatable, Sendable {
  /// Linkage (mangled) name when DWARF has one, else the plain name; nil when no function
  /// DIE covers the address (the caller then names it from the symbol table).
  public var rawName: String?
  /// Source file of `line` ("" when unknown).
  public var file: String
  /// Line in `file` (0 when unknown).
  public var line: Int64
  /// Column in the line (0 when unknown).
  public var column: Int64
  /// Line of the function's declaration (0 when unknown).
  public var declarationLine: Int64
}

/// DWARF line tables and inline frames of one ELF file, through elfutils libdw.
///
/// The one Swift file that imports `CLibDW`. It owns the `Dwarf` handle and its file
/// descriptor. For each compilation unit it builds, once, a sorted table of the address
/// ranges of its functions, so an address costs a CU lookup (aranges), a binary search and
/// a walk down the few DIEs nested in one function, not a walk of the whole unit.
public final class DWARFSession {
  private let dwarf: OpaquePointer
  private let fd: Int32
  private var functionRanges: [Dwarf_Off: [FunctionRange]] = [:]
  /// Unit ranges from the units' own DIEs, for files without `.debug_aranges` (Go, Swift).
  private var unitRanges: [FunctionRange]?

  private struct FunctionRange {
    var low: UInt64
    var high: UInt64
    var die: Dwarf_Off
  }

  /// Opens the DWARF of the ELF file at `path`; nil when it cannot be opened or has none.
  /// The corresponding C functions are `open` (through `MappedFile.openRegular`, so a FIFO
  /// or device is never handed to libdw) and `dwarf_begin`.
  public init?(path: String) {
    guard let fd = try? MappedFile.openRegular(path: path).fd else { return nil }
    guard let dwarf = dwarf_begin(fd, DWARF_C_READ) else {
      close(fd)
      return nil
    }
    self.fd = fd
    self.dwarf = dwarf
  }

  deinit {
    dwarf_end(dwarf)
    close(fd)
  }

  /// Frames for the link-time address `address`, innermost inlined function first and the
  /// real (out-of-line) function last; empty when no compilation unit covers it.
  public func frames(at address: UInt64) -> [SourceFrame] {
    guard var cu = unitDIE(containing: address) else { return [] }
    var file = ""
    var line: Int64 = 0
    var column: Int64 = 0
    if let l = dwarf_getsrc_die(&cu, address) {
      if let src = dwarf_linesrc(l, nil, nil) { file = String(cString: src) }
      var n: Int32 = 0
      if dwarf_lineno(l, &n) == 0 { line = Int64(n) }
      if dwarf_linecol(l, &n) == 0 { column = Int64(n) }
    }
    // The chain of function DIEs containing the address, outermost first.
    var chain: [Dwarf_Die] = []
    if var function = functionDIE(containing: address, cu: &cu) {
      chain.append(function)
      while let inner = DWARFSession.child(of: &function, containing: address) {
        function = inner
        chain.append(inner)
      }
    }
    if chain.isEmpty {
      return [SourceFrame(rawName: nil, file: file, line: line, column: column, declarationLine: 0)]
    }
    var files: OpaquePointer?
    var fileCount = 0
    let haveFiles = dwarf_getsrcfiles(&cu, &files, &fileCount) == 0
    var frames: [SourceFrame] = []
    frames.reserveCapacity(chain.count)
    for i in stride(from: chain.count - 1, through: 0, by: -1) {
      var die = chain[i]
      frames.append(
        SourceFrame(
          rawName: DWARFSession.name(of: &die), file: file, line: line, column: column,
          declarationLine: DWARFSession.declarationLine(of: &die)))
      // The caller's position is where this inlined instance was called from.
      if dwarf_tag(&die) == Int32(DW_TAG_inlined_subroutine) {
        let callLine = DWARFSession.unsigned(&die, DW_AT_call_line) ?? 0
        let callFile = DWARFSession.unsigned(&die, DW_AT_call_file)
        line = Int64(callLine)
        column = Int64(DWARFSession.unsigned(&die, DW_AT_call_column) ?? 0)
        if haveFiles, let index = callFile, index < UInt64(fileCount),
          let src = dwarf_filesrc(files, Int(index), nil, nil)
        {
          file = String(cString: src)
        } else {
          file = ""
        }
      }
    }
    return frames
  }

  /// The compilation unit covering `address`: from `.debug_aranges` when present, else from
  /// a table of every unit's ranges built once.
  private func unitDIE(containing address: UInt64) -> Dwarf_Die? {
    var cu = Dwarf_Die()
    if dwarf_addrdie(dwarf, address, &cu) != nil { return cu }
    let ranges = unitRanges ?? buildUnitRanges()
    guard let offset = DWARFSession.lookup(address, in: ranges) else { return nil }
    return dwarf_offdie(dwarf, offset, &cu) != nil ? cu : nil
  }

  private func buildUnitRanges() -> [FunctionRange] {
    var result: [FunctionRange] = []
    var offset: Dwarf_Off = 0
    var next: Dwarf_Off = 0
    var headerSize = 0
    while dwarf_nextcu(dwarf, offset, &next, &headerSize, nil, nil, nil) == 0 {
      var cu = Dwarf_Die()
      if dwarf_offdie(dwarf, offset + Dwarf_Off(headerSize), &cu) != nil {
        DWARFSession.appendRanges(of: &cu, into: &result)
      }
      offset = next
    }
    result.sort { $0.low < $1.low }
    unitRanges = result
    return result
  }

  /// Appends the `[low, high)` ranges of `die`, tagged with its offset.
  private static func appendRanges(of die: inout Dwarf_Die, into out: inout [FunctionRange]) {
    var base: Dwarf_Addr = 0
    var start: Dwarf_Addr = 0
    var end: Dwarf_Addr = 0
    let offset = dwarf_dieoffset(&die)
    var next = dwarf_ranges(&die, 0, &base, &start, &end)
    while next > 0 {
      if end > start { out.append(FunctionRange(low: start, high: end, die: offset)) }
      next = dwarf_ranges(&die, next, &base, &start, &end)
    }
  }

  /// The DIE offset of the range containing `address` in a table sorted by `low`.
  private static func lookup(_ address: UInt64, in ranges: [FunctionRange]) -> Dwarf_Off? {
    let lo = ranges.upperBound(of: address) { $0.low }
    var i = lo - 1
    while i >= 0, i >= lo - 8 {
      if address < ranges[i].high { return ranges[i].die }
      i -= 1
    }
    return nil
  }

  /// The subprogram DIE whose ranges contain `address`, from the unit's cached range table.
  private func functionDIE(containing address: UInt64, cu: inout Dwarf_Die) -> Dwarf_Die? {
    let key = dwarf_dieoffset(&cu)
    let ranges: [FunctionRange]
    if let cached = functionRanges[key] {
      ranges = cached
    } else {
      var collected: [FunctionRange] = []
      DWARFSession.collectFunctions(under: &cu, into: &collected, depth: 0)
      collected.sort { $0.low < $1.low }
      functionRanges[key] = collected
      ranges = collected
    }
    guard let offset = DWARFSession.lookup(address, in: ranges) else { return nil }
    var die = Dwarf_Die()
    return dwarf_offdie(dwarf, offset, &die) != nil ? die : nil
  }

  /// Records the address ranges of every concrete subprogram below `parent`, looking
  /// inside namespaces and types (C++ member functions) but not inside function bodies.
  private static func collectFunctions(under parent: inout Dwarf_Die, into out: inout [FunctionRange], depth: Int) {
    guard depth < 64 else { return }
    var child = Dwarf_Die()
    guard dwarf_child(&parent, &child) == 0 else { return }
    while true {
      let tag = dwarf_tag(&child)
      if tag == Int32(DW_TAG_subprogram) {
        appendRanges(of: &child, into: &out)
      } else if tag == Int32(DW_TAG_namespace) || tag == Int32(DW_TAG_class_type)
        || tag == Int32(DW_TAG_structure_type) || tag == Int32(DW_TAG_union_type) || tag == Int32(DW_TAG_module)
      {
        collectFunctions(under: &child, into: &out, depth: depth + 1)
      }
      var next = Dwarf_Die()
      guard dwarf_siblingof(&child, &next) == 0 else { return }
      child = next
    }
  }

  /// The inlined-subroutine DIE directly nested in `parent` (through lexical blocks) whose
  /// ranges contain `address`.
  private static func child(of parent: inout Dwarf_Die, containing address: UInt64, depth: Int = 0) -> Dwarf_Die? {
    guard depth < 256 else { return nil }
    var child = Dwarf_Die()
    guard dwarf_child(&parent, &child) == 0 else { return nil }
    while true {
      let tag = dwarf_tag(&child)
      if tag == Int32(DW_TAG_inlined_subroutine) {
        if dwarf_haspc(&child, address) == 1 { return child }
      } else if tag == Int32(DW_TAG_lexical_block) || tag == Int32(DW_TAG_try_block) || tag == Int32(DW_TAG_catch_block)
      {
        let hasRange =
          dwarf_hasattr(&child, UInt32(DW_AT_low_pc)) != 0 || dwarf_hasattr(&child, UInt32(DW_AT_ranges)) != 0
        if !hasRange || dwarf_haspc(&child, address) == 1 {
          if let found = DWARFSession.child(of: &child, containing: address, depth: depth + 1) { return found }
        }
      }
      var next = Dwarf_Die()
      guard dwarf_siblingof(&child, &next) == 0 else { return nil }
      child = next
    }
  }

  /// Linkage name, else name, following abstract origins and specifications.
  private static func name(of die: inout Dwarf_Die) -> String? {
    var attr = Dwarf_Attribute()
    for at in [DW_AT_linkage_name, DW_AT_MIPS_linkage_name, DW_AT_name] {
      if let a = dwarf_attr_integrate(&die, UInt32(at), &attr), let s = dwarf_formstring(a) {
        return String(cString: s)
      }
    }
    return nil
  }

  private static func declarationLine(of die: inout Dwarf_Die) -> Int64 {
    var n: Int32 = 0
    return dwarf_decl_line(&die, &n) == 0 ? Int64(n) : 0
  }

  private static func unsigned(_ die: inout Dwarf_Die, _ at: Int) -> UInt64? {
    var attr = Dwarf_Attribute()
    var value: Dwarf_Word = 0
    guard let a = dwarf_attr(&die, UInt32(at), &attr), dwarf_formudata(a, &value) == 0 else { return nil }
    return value
  }
}

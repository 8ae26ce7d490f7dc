/// The call frame information of one ELF file: finds the unwind row for an instruction address.
///
/// Uses `.eh_frame_hdr`'s sorted search table when present (no set-up cost, a binary search
/// per lookup); otherwise indexes every FDE of `.eh_frame` and `.debug_frame` once. The
/// file's bytes must outlive the table (it keeps pointers into them).
public struct CFITable {
  private struct IndexEntry {
    var start: UInt64
    var end: UInt64
    var offset: Int
    var debugFrame: Bool
  }

  private let ehFrame: CFISection?
  private let debugFrame: CFISection?
  /// The `.eh_frame_hdr` binary-search table (entries of two datarel sdata4 words).
  private let hdrTable: UnsafeRawBufferPointer?
  private let hdrAddress: UInt64
  private var index: [IndexEntry] = []
  private var cies: [Int: CFICIE] = [:]

  /// Which source the table searches, for tests and notes.
  public var source: String { hdrTable != nil ? ".eh_frame_hdr" : index.isEmpty ? "none" : "fde index" }

  /// Number of FDEs known (from the header table or the index).
  public var count: Int { hdrTable.map { $0.count / 8 } ?? index.count }

  /// True when the file has any CFI at all.
  public var isEmpty: Bool { count == 0 }

  /// Reads the CFI sections of `elf`.
  public init(elf: ELFFile) {
    func section(_ name: String, debug: Bool) -> CFISection? {
      guard let s = elf.section(named: name), let data = elf.data(of: s), data.count > 0 else { return nil }
      return CFISection(bytes: data, address: s.address, isDebugFrame: debug)
    }
    ehFrame = section(".eh_frame", debug: false)
    debugFrame = section(".debug_frame", debug: true)
    var table: UnsafeRawBufferPointer?
    var hdrAddress: UInt64 = 0
    if let h = elf.section(named: ".eh_frame_hdr"), let data = elf.data(of: h), let eh = ehFrame {
      table = CFITable.searchTable(data, address: h.address, ehFrameAddress: eh.address)
      hdrAddress = h.address
    }
    self.hdrTable = table
    self.hdrAddress = hdrAddress
    if table == nil {
      if let eh = ehFrame { indexAll(eh) }
      if let df = debugFrame { indexAll(df) }
      index.sort { $0.start < $1.start }
    }
  }

  /// The unwind row in effect at link address `address`, or nil when no FDE covers it.
  public mutating func row(at address: UInt64) -> CFIRow? {
    guard let (section, cie, fde) = entry(covering: address) else { return nil }
    return CFIInterpreter(section: section, cie: cie).row(fde: fde, target: address)
  }

  /// The address range `[start, end)` of the FDE covering `address`, or nil. FDEs describe
  /// every function's extent even in stripped binaries, so this groups unnamed addresses.
  public mutating func functionRange(containing address: UInt64) -> Range<UInt64>? {
    guard let (_, _, fde) = entry(covering: address) else { return nil }
    return fde.start..<(fde.start &+ fde.length)
  }

  /// The section, CIE (parsed once per CIE and cached) and FDE covering `address`.
  private mutating func entry(covering address: UInt64) -> (CFISection, CFICIE, CFIFDE)? {
    guard let (offset, debug) = fdeOffset(for: address) else { return nil }
    guard let section = debug ? debugFrame : ehFrame, let cieOffset = section.fdeCIEOffset(at: offset) else {
      return nil
    }
    let key = debug ? ~cieOffset : cieOffset
    let cie: CFICIE
    if let c = cies[key] {
      cie = c
    } else {
      guard let c = section.cie(at: cieOffset) else { return nil }
      cies[key] = c
      cie = c
    }
    guard let fde = section.fde(at: offset, cie: cie), address >= fde.start, address - fde.start < fde.length else {
      return nil
    }
    return (section, cie, fde)
  }

  /// Start addresses of every function described (for frame-pointer prologue checks).
  public func functionStarts(limit: Int) -> [UInt64] {
    var starts: [UInt64] = []
    if let t = hdrTable {
      let n = t.count / 8
      let step = max(1, n / max(1, limit))
      var i = 0
      while i < n, starts.count < limit {
        if let v = t.readLE(Int32.self, at: i * 8) { starts.append(hdrAddress &+ UInt64(bitPattern: Int64(v))) }
        i += step
      }
    } else {
      let step = max(1, index.count / max(1, limit))
      var i = 0
      while i < index.count, starts.count < limit {
        starts.append(index[i].start)
        i += step
      }
    }
    return starts
  }

  // MARK: Lookup

  private func fdeOffset(for address: UInt64) -> (Int, Bool)? {
    if let t = hdrTable, let eh = ehFrame {
      let n = t.count / 8
      var lo = 0
      var hi = n
      while lo < hi {
        let mid = (lo + hi) / 2
        guard let v = t.readLE(Int32.self, at: mid * 8) else { return nil }
        if hdrAddress &+ UInt64(bitPattern: Int64(v)) <= address { lo = mid + 1 } else { hi = mid }
      }
      guard lo > 0, let fdeRel = t.readLE(Int32.self, at: (lo - 1) * 8 + 4) else { return nil }
      let fdeAddress = hdrAddress &+ UInt64(bitPattern: Int64(fdeRel))
      guard fdeAddress >= eh.address, fdeAddress - eh.address < UInt64(eh.bytes.count) else { return nil }
      return (Int(fdeAddress - eh.address), false)
    }
    var lo = 0
    var hi = index.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if index[mid].start <= address { lo = mid + 1 } else { hi = mid }
    }
    // Ranges may nest in a .debug_frame + .eh_frame mix: look back a little for a cover.
    var i = lo - 1
    while i >= 0, i >= lo - 4 {
      if address < index[i].end { return (index[i].offset, index[i].debugFrame) }
      i -= 1
    }
    return nil
  }

  /// The header's table when it is the usual sorted datarel-sdata4 kind.
  private static func searchTable(_ hdr: UnsafeRawBufferPointer, address: UInt64, ehFrameAddress: UInt64)
    -> UnsafeRawBufferPointer?
  {
    var r = CFIReader(hdr, baseAddress: address)
    guard r.u8() == 1, let ptrEnc = r.u8(), let countEnc = r.u8(), let tableEnc = r.u8(), tableEnc == 0x3b,
      r.pointer(encoding: ptrEnc, dataBase: address) != nil,
      let count = r.pointer(encoding: countEnc, dataBase: address), count > 0,
      count <= UInt64((hdr.count - r.offset) / 8),
      let base = hdr.baseAddress
    else { return nil }
    return UnsafeRawBufferPointer(start: base + r.offset, count: Int(count) * 8)
  }

  private mutating func indexAll(_ section: CFISection) {
    var offset = 0
    var local: [Int: CFICIE] = [:]
    while let e = section.entry(at: offset) {
      defer { offset = e.end }
      guard let ref = section.cieReference(idOffset: e.idOffset, is64: e.is64), !ref.isCIE else { continue }
      let cie: CFICIE
      if let c = local[ref.cieOffset] {
        cie = c
      } else {
        guard let c = section.cie(at: ref.cieOffset) else { continue }
        local[ref.cieOffset] = c
        cie = c
      }
      guard let fde = section.fde(at: offset, cie: cie), fde.length > 0 else { continue }
      index.append(
        IndexEntry(start: fde.start, end: fde.start &+ fde.length, offset: offset, debugFrame: section.isDebugFrame))
    }
  }
}

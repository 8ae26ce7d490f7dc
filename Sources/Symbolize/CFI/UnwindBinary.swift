/// One binary opened for unwinding: its file mapping, ELF headers and CFI table, with the
/// rows already computed cached by file offset (samples hit the same instructions again
/// and again).
public final class UnwindBinary {
  /// The mapped, parsed binary, shared through `ObjectFileCache` with symbolization.
  private let object: ObjectFile
  private let elf: ELFFile
  private var table: CFITable
  private var rows: [CFIRow] = []
  private var rowByOffset: [UInt64: Int32] = [:]

  /// The path the binary was opened from.
  public var path: String { object.path }

  /// Which CFI source lookups use (`.eh_frame_hdr`, `fde index` or `none`).
  public var cfiSource: String { table.source }

  /// Opens and parses `path`.
  public convenience init(path: String) throws(SymbolizeError) {
    try self.init(object: ObjectFileCache.shared.open(path))
  }

  /// This process's vDSO (every process on one kernel maps the same one), or nil.
  public static func vdso() -> UnwindBinary? {
    guard let memory = VDSOImage.memory() else { return nil }
    return try? UnwindBinary(object: ObjectFile(file: MappedFile(borrowing: memory, name: "[vdso]")))
  }

  private init(object: ObjectFile) {
    self.object = object
    elf = object.elf
    table = CFITable(elf: object.elf)
  }

  /// The row for the instruction at `fileOffset` (its offset in the file), or nil.
  public func row(fileOffset: UInt64) -> CFIRow? {
    if let i = rowByOffset[fileOffset] { return i < 0 ? nil : rows[Int(i)] }
    var found: CFIRow?
    if let link = elf.linkAddress(forFileOffset: fileOffset) { found = table.row(at: link) }
    if let found {
      rowByOffset[fileOffset] = Int32(rows.count)
      rows.append(found)
    } else {
      rowByOffset[fileOffset] = -1
    }
    return found
  }

  /// Whether the bytes just before `fileOffset` end a call instruction (`call rel32`,
  /// `call *reg`, `call *disp8(reg)`, `call *disp32(reg)` or `call *disp32(%rip)`): what a
  /// return address must follow.
  public func followsCall(fileOffset: UInt64) -> Bool {
    let bytes = elf.bytes
    guard fileOffset >= 6, fileOffset <= UInt64(bytes.count) else { return false }
    let at = Int(fileOffset)
    func byte(_ back: Int) -> UInt8? { bytes.readLE(UInt8.self, at: at - back) }
    if byte(5) == 0xe8 { return true }
    // ff /2: the ModRM byte's reg field is 2; its mod field says how long the operand is.
    func callModRM(_ modrm: UInt8?, mod: UInt8) -> Bool {
      guard let m = modrm else { return false }
      return m & 0x38 == 0x10 && m >> 6 == mod
    }
    if byte(2) == 0xff, callModRM(byte(1), mod: 3) { return true }
    if byte(3) == 0xff, callModRM(byte(2), mod: 1), byte(2).map({ $0 & 7 != 4 }) == true { return true }
    if byte(6) == 0xff, let m = byte(5), callModRM(m, mod: 2) || m == 0x15 { return true }
    return false
  }

  /// Share of sampled function starts (from the CFI) that open with a frame-pointer
  /// prologue (`push %rbp; mov %rsp,%rbp`, optionally after `endbr64`); nil without CFI.
  public func framePointerPrologueShare(samples: Int = 400) -> Double? {
    let starts = table.functionStarts(limit: samples)
    guard !starts.isEmpty else { return nil }
    var withFrame = 0
    var checked = 0
    for start in starts {
      guard let offset = fileOffset(forLinkAddress: start) else { continue }
      checked += 1
      var at = Int(offset)
      if elf.bytes.readLE(UInt32.self, at: at) == 0xfa1e_0ff3 { at += 4 }  // endbr64
      guard elf.bytes.readLE(UInt8.self, at: at) == 0x55 else { continue }  // push %rbp
      // mov %rsp,%rbp: 48 89 e5 (or 48 8b ec)
      let mov = elf.bytes.readLE(UInt32.self, at: at + 1).map { $0 & 0xff_ffff }
      if mov == 0xe5_8948 || mov == 0xec_8b48 { withFrame += 1 }
    }
    return checked == 0 ? nil : Double(withFrame) / Double(checked)
  }

  private func fileOffset(forLinkAddress address: UInt64) -> UInt64? {
    for s in elf.segments where s.type == ELFFile.segmentLoad {
      if address >= s.virtualAddress, address - s.virtualAddress < s.fileSize {
        return address - s.virtualAddress + s.offset
      }
    }
    return nil
  }
}

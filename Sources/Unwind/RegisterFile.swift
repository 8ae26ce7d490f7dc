import Capture

/// The x86-64 registers of one frame during unwinding, in DWARF numbering (0–15: rax, rdx,
/// rcx, rbx, rsi, rdi, rbp, rsp, r8–r15; 16: the return address / rip), with a validity bit each.
struct RegisterFile {
  var values:
    (
      UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
      UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    ) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  var valid: UInt32 = 0

  static let ip: UInt16 = 16
  static let sp: UInt16 = 7
  static let fp: UInt16 = 6

  /// DWARF register → index of the word in a sample's REGS_USER block for
  /// `CallGraph.x86UserRegisterMask` (ax bx cx dx si di bp sp ip r8 … r15).
  private static let sampleWord: [Int] = [0, 3, 2, 1, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 8]

  /// The registers of a sample; nil when the block is not the expected x86-64 one.
  init?(sample words: RawWords, abi: UInt64?) {
    guard abi == 2, words.count == 17 else { return nil }
    for reg in 0..<17 { self[UInt16(reg)] = words[Self.sampleWord[reg]] }
  }

  init() {}

  subscript(reg: UInt16) -> UInt64? {
    get {
      guard reg < 17, valid & (1 << UInt32(reg)) != 0 else { return nil }
      return withUnsafeBytes(of: values) { $0.load(fromByteOffset: Int(reg) * 8, as: UInt64.self) }
    }
    set {
      guard reg < 17 else { return }
      if let newValue {
        withUnsafeMutableBytes(of: &values) { $0.storeBytes(of: newValue, toByteOffset: Int(reg) * 8, as: UInt64.self) }
        valid |= 1 << UInt32(reg)
      } else {
        valid &= ~(1 << UInt32(reg))
      }
    }
  }
}

import CX86Decode

/// One x86-64 instruction as probe placement sees it (decoded by Zydis in CX86Decode).
public struct X86Instruction: Sendable, Hashable {
  /// Address (link-time) of the instruction.
  public var address: UInt64
  /// Length in bytes.
  public var length: Int
  /// `endbr64`, the CET landing pad at the start of functions built with -fcf-protection.
  public var isEndbr64: Bool
  /// Changes control flow (jump, call, return, trap).
  public var isBranch: Bool
  /// The absolute target of a relative branch.
  public var target: UInt64?
  /// Writes %rsp or memory through %rsp.
  public var writesStack: Bool
  /// Addresses memory relative to %rip (a probe here is single-stepped with a fix-up).
  public var isRIPRelative: Bool
  /// The kernel emulates it at a probe hit (push reg, nop, relative branch): the cheap kind.
  public var isEmulated: Bool
  /// AT&T text, e.g. `push %rbp`.
  public var text: String
}

/// The x86-64 decoder: the one Swift door to the Zydis library.
public enum X86Decoder {
  /// Decodes the instruction at the start of `bytes`, located at `address`; nil when invalid.
  public static func decode(_ bytes: UnsafeRawBufferPointer, address: UInt64) -> X86Instruction? {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
    var raw = perfsh_x86_instruction()
    guard perfsh_x86_decode(base.assumingMemoryBound(to: UInt8.self), bytes.count, address, &raw) == 0, raw.length > 0
    else {
      return nil
    }
    let text = withUnsafeBytes(of: raw.text) { buffer in
      String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }
    return X86Instruction(
      address: address, length: Int(raw.length), isEndbr64: raw.is_endbr64 != 0, isBranch: raw.is_branch != 0,
      target: raw.has_target != 0 ? raw.target : nil, writesStack: raw.writes_stack != 0,
      isRIPRelative: raw.rip_relative != 0, isEmulated: raw.emulated != 0, text: text)
  }

  /// Every instruction of `bytes` (a function's code at `address`), in order; stops at the
  /// first undecodable byte.
  public static func decodeAll(_ bytes: UnsafeRawBufferPointer, address: UInt64) -> [X86Instruction] {
    var result: [X86Instruction] = []
    var offset = 0
    while offset < bytes.count,
      let insn = decode(UnsafeRawBufferPointer(rebasing: bytes[offset...]), address: address &+ UInt64(offset))
    {
      result.append(insn)
      offset += insn.length
    }
    return result
  }
}

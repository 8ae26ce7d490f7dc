/// Where in a function its entry (and return) probe goes, and why.
///
/// A probe costs what the kernel does with the instruction under it: a push of a register,
/// a one-byte nop or a relative branch is emulated (~1-3 µs per hit here); anything else is
/// single-stepped out of line (~10-30 µs here), `endbr64` and RIP-relative instructions
/// included. So the probe goes on the first emulated instruction of the function's
/// straight-line start, as long as it still runs exactly once per call before anything
/// else: only instructions before the first branch are considered, none that a branch of
/// the function jumps to, and (when a return probe shares the site, which reads the return
/// address at %rsp) none after an instruction that writes %rsp or the stack.
public struct ProbePlacement: Sendable, Hashable {
  /// Bytes from the function's start to the probed instruction.
  public var offset: UInt64
  /// The probed instruction (AT&T), empty when the code could not be decoded.
  public var instruction: String
  /// How the kernel handles a hit there.
  public var kind: Kind
  /// Why the probe sits there, for `info`.
  public var reason: String

  /// How a probe hit on the instruction is handled by the kernel.
  public enum Kind: String, Sendable, Hashable {
    /// Emulated in the kernel (push reg, nop, relative branch): cheap.
    case emulated
    /// Copied and single-stepped out of line: about ten times dearer.
    case singleStepped = "single-stepped"
    /// Single-stepped with a %rip fix-up: as dear.
    case ripRelative = "single-stepped, RIP-relative"
    /// Not decoded (unknown size or bytes): the probe stays at the entry.
    case unknown
  }

  /// The longest straight-line start considered, in instructions.
  static let maxPrefix = 8

  /// Places the probe for a function of `size` bytes at `start` whose decoded instructions
  /// are `instructions` (the whole function when its size is known). `keepsReturnAddress`:
  /// a return probe shares the site, so the stack must be untouched before it.
  public static func place(_ instructions: [X86Instruction], start: UInt64, size: UInt64, keepsReturnAddress: Bool)
    -> ProbePlacement
  {
    guard let first = instructions.first, first.address == start else {
      return ProbePlacement(
        offset: 0, instruction: "", kind: .unknown, reason: "code not decodable: probe at the entry")
    }
    let entry = ProbePlacement(offset: 0, instruction: first.text, kind: kind(of: first), reason: "")
    guard size > 0 else {
      return entry.with(reason: "symbol size unknown, so branch targets are too: probe at the entry")
    }
    let end = start &+ size
    var targets = Set<UInt64>()
    for insn in instructions { if let t = insn.target, t > start, t < end { targets.insert(t) } }
    // Candidates: the straight-line start, each reached exactly once per call.
    var candidates: [X86Instruction] = []
    for insn in instructions.prefix(maxPrefix) {
      if insn.address != start && targets.contains(insn.address) { break }
      candidates.append(insn)
      if insn.isBranch || (keepsReturnAddress && insn.writesStack) { break }
    }
    let usable = candidates.filter { !$0.isEndbr64 }
    let chosen = usable.first(where: \.isEmulated) ?? usable.first(where: { !$0.isRIPRelative }) ?? usable.first
    guard let chosen else {
      return entry.with(reason: "no instruction after endbr64 runs exactly once per call: probe at the entry")
    }
    var placement = ProbePlacement(
      offset: chosen.address - start, instruction: chosen.text, kind: kind(of: chosen), reason: "")
    var why: [String] = []
    if chosen.address == start {
      why.append(
        placement.kind == .emulated
          ? "the first instruction is emulated by the kernel" : "no cheaper instruction at the start")
    } else {
      let skipped = candidates.prefix { $0.address < chosen.address }.map(\.text)
      why.append("after \(skipped.joined(separator: "; "))")
      why.append(placement.kind == .emulated ? "emulated by the kernel" : "the cheapest of the straight-line start")
    }
    if first.isEndbr64 && chosen.address == start { why.append("endbr64 single-stepped") }
    placement.reason = why.joined(separator: ", ")
    return placement
  }

  static func kind(of insn: X86Instruction) -> Kind {
    if insn.isEmulated { return .emulated }
    return insn.isRIPRelative ? .ripRelative : .singleStepped
  }

  private func with(reason: String) -> ProbePlacement {
    var p = self
    p.reason = reason
    return p
  }

  /// Places the probe of a function whose code is `code` (its bytes from the start, at most
  /// `size` when known; a short window otherwise).
  public static func place(code: UnsafeRawBufferPointer, start: UInt64, size: UInt64, keepsReturnAddress: Bool)
    -> ProbePlacement
  {
    let window = size > 0 ? min(Int(clamping: size), code.count, 1 << 16) : min(code.count, 32)
    let instructions = X86Decoder.decodeAll(UnsafeRawBufferPointer(rebasing: code.prefix(window)), address: start)
    return place(
      instructions, start: start, size: size > UInt64(window) ? 0 : size, keepsReturnAddress: keepsReturnAddress)
  }
}

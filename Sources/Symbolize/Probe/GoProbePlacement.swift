/// Where a Go function's probes go, found by decoding all of its instructions: the entry
/// probe after the stack-check prologue, a return probe on every `RET`, and an exit probe
/// on every jump that leaves the function (a tail call), so no return address is touched.
///
/// Go (register ABI, 1.17+) starts most functions with a stack check: `cmp 0x10(%r14),%rsp;
/// jbe L` (or `lea -N(%rsp),%r12; cmp 0x10(%r14),%r12; jbe L` for big frames, with a `sub`/`jb`
/// pair before it for huge ones), where L spills the arguments, calls `runtime.morestack`
/// and jumps back to the function's entry. A probe at the entry would fire again after every
/// stack growth or preemption request. Two exact placements: the first instruction after
/// the check (runs once per call, but is usually a `sub`/`mov` the kernel single-steps), or
/// the check's own branch (emulated, so cheaper) with a second probe on the `call
/// runtime.morestack` that cancels the entry it follows (`restartOffsets`). The second is
/// used when the instruction after the check is not emulated. Functions without the check
/// (nosplit) are placed as C functions are (`ProbePlacement`).
public struct GoProbePlacement: Sendable, Hashable {
  /// Why a Go function cannot be traced call by call, or nil when it can. Duff's devices
  /// (`runtime.duffcopy`, `runtime.duffzero`) are entered by calls into their middle, so
  /// their entry probe misses almost every call while their one RET sees them all.
  public static func untraceableReason(_ name: String) -> String? {
    switch name {
    case "runtime.duffcopy", "runtime.duffzero":
      return "entered in the middle (a Duff's device), so its calls cannot be counted or timed"
    default:
      return nil
    }
  }

  /// Bytes from the function's start to the entry probe.
  public var entryOffset: UInt64
  /// The instruction under the entry probe (AT&T).
  public var entryInstruction: String
  /// How the kernel handles a hit on it.
  public var entryKind: ProbePlacement.Kind
  /// Bytes from the function's start to each `RET`.
  public var returnOffsets: [UInt64]
  /// Bytes from the function's start to each jump out of the function (tail calls): the
  /// frame ends there without returning.
  public var exitOffsets: [UInt64]
  /// Bytes from the function's start to the `call runtime.morestack` of the stack check, when
  /// the entry probe sits on the check's branch: a hit there cancels the entry just counted
  /// (the function restarts from its entry once the stack has grown).
  public var restartOffsets: [UInt64] = []
  /// The stack check reads the goroutine from thread-local storage (`%fs`), not R14: a
  /// stack-ABI binary (Go < 1.17), where R14 is not the goroutine.
  public var usesStackABI: Bool
  /// Why the entry probe sits where it does, for `info`.
  public var reason: String

  /// Most instructions a stack-check prologue has (`mov; sub; jb; cmp; jbe`).
  static let maxPrologue = 6

  /// Places the probes of the Go function at `start` of `size` bytes whose instructions are
  /// `instructions` (all of them, in order); nil when the code does not decode up to its end.
  public static func place(_ instructions: [X86Instruction], start: UInt64, size: UInt64) -> GoProbePlacement? {
    guard size > 0, let first = instructions.first, first.address == start,
      let last = instructions.last, last.address &+ UInt64(last.length) >= start &+ size
    else { return nil }
    let end = start &+ size
    let body = instructions.filter { $0.address < end }
    var targets = Set<UInt64>()
    for insn in body { if let t = insn.target, t >= start, t < end { targets.insert(t) } }
    // The blocks that call morestack end in a jump back to the entry.
    let restarts = body.filter { $0.mnemonic == "jmp" && $0.target == start }.map(\.address)
    func isStackCheck(_ insn: X86Instruction) -> Bool {
      guard insn.isConditionalJump, let t = insn.target, t > insn.address else { return false }
      return restarts.contains { $0 >= t && $0 - t < 512 }
    }
    var prologueEnd = 0
    var usesStackABI = false
    for (i, insn) in body.prefix(maxPrologue).enumerated() {
      if isStackCheck(insn) {
        prologueEnd = i + 1
        continue
      }
      if insn.isBranch { break }
      if insn.text.contains("%fs:") { usesStackABI = true }
    }
    if prologueEnd == 0 { usesStackABI = false }
    let returns = body.filter { $0.mnemonic == "ret" }.map { $0.address - start }
    let exits = body.filter { insn in
      guard insn.mnemonic == "jmp", let t = insn.target else { return false }
      return t < start || t >= end
    }.map { $0.address - start }
    var placement = GoProbePlacement(
      entryOffset: 0, entryInstruction: first.text, entryKind: ProbePlacement.kind(of: first), returnOffsets: returns,
      exitOffsets: exits, usesStackABI: usesStackABI, reason: "")
    guard prologueEnd > 0 else {
      let p = ProbePlacement.place(instructions, start: start, size: size, keepsReturnAddress: false)
      placement.entryOffset = p.offset
      placement.entryInstruction = p.instruction
      placement.entryKind = p.kind
      placement.reason = "no stack check (nosplit): " + p.reason
      return placement
    }
    let check = body.prefix(prologueEnd).map(\.text).joined(separator: "; ")
    // The straight-line start of the body: reached once per call, before any branch.
    var candidates: [X86Instruction] = []
    for insn in body.dropFirst(prologueEnd) {
      if targets.contains(insn.address) { break }
      candidates.append(insn)
      if insn.isBranch || candidates.count >= ProbePlacement.maxPrefix { break }
    }
    if let after = candidates.first, after.isEmulated {
      placement.entryOffset = after.address - start
      placement.entryInstruction = after.text
      placement.entryKind = .emulated
      placement.reason =
        "after the stack check (\(check)), emulated by the kernel; a stack growth's restart is not a second call"
      return placement
    }
    // On the check's first branch, with the morestack call cancelling a restarted entry.
    guard let branch = body.prefix(prologueEnd).first(where: isStackCheck), let t = branch.target,
      let restart = restarts.first(where: { $0 >= t }),
      case let calls = body.filter({ $0.mnemonic == "call" && $0.address >= t && $0.address < restart }),
      calls.count == 1
    else {
      guard let after = candidates.first else { return nil }
      placement.entryOffset = after.address - start
      placement.entryInstruction = after.text
      placement.entryKind = ProbePlacement.kind(of: after)
      placement.reason = "after the stack check (\(check)), so a stack growth's restart is not a second call"
      return placement
    }
    placement.entryOffset = branch.address - start
    placement.entryInstruction = branch.text
    placement.entryKind = ProbePlacement.kind(of: branch)
    placement.restartOffsets = calls.map { $0.address - start }
    let next = candidates.first.map { " ('\($0.text)' after the check is single-stepped)" } ?? ""
    placement.reason =
      "on the stack check's branch (\(check)), emulated\(next); a probe on '\(calls[0].text)' "
      + "cancels the entry of a call that grows its stack and restarts"
    return placement
  }

  /// Places the probes of a Go function whose code is `code` (its bytes from the start, at
  /// least `size` of them); nil when it cannot be decoded.
  public static func place(code: UnsafeRawBufferPointer, start: UInt64, size: UInt64) -> GoProbePlacement? {
    guard size > 0, size <= 1 << 20, code.count >= Int(size) else { return nil }
    let instructions = X86Decoder.decodeAll(UnsafeRawBufferPointer(rebasing: code.prefix(Int(size))), address: start)
    return place(instructions, start: start, size: size)
  }
}

extension X86Instruction {
  /// The mnemonic: the first word of the text (`ret`, `jmp`, `jbe`, `call`).
  public var mnemonic: Substring { text.prefix { $0 != " " } }

  /// A conditional jump (`jcc`, not `jmp`, loops or `jrcxz`).
  public var isConditionalJump: Bool {
    let m = mnemonic
    return isBranch && m.hasPrefix("j") && m != "jmp" && m != "jrcxz" && m != "jecxz"
  }
}

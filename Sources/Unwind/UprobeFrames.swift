import Capture

/// Frames of the kernel's `[uprobes]` page while a program is traced with uprobes: its first
/// bytes are the uretprobe trampoline (its address replaces the return address of every call
/// with a pending return probe), the rest are the slots where single-stepped probed
/// instructions run out of line (XOL).
///
/// Neither has CFI. A return address equal to the trampoline is replaced by the original one
/// the kernel put into the sample's own user call chain (Linux ≥ 6.10 fixes up trampolines
/// there from the thread's pending return instances, innermost first); an instruction pointer
/// in a slot runs a copy of a probed first instruction or `RET`, where the return address
/// is still at `[rsp]`.
struct UprobeFrames {
  /// The page's name in the process's mappings.
  static let pageName = "[uprobes]"
  /// Bytes at the start of the page that hold the trampoline code, not XOL slots.
  static let trampolineBytes: UInt64 = 64

  /// Original return addresses for the trampolines met so far, innermost first.
  private var originals: [UInt64]
  private var next = 0

  /// The originals the kernel wrote into `chain` (a sample's call chain) in place of
  /// `trampoline`, found by walking the same frame-pointer chain over the stack copy: where
  /// the copy holds the trampoline, the kernel's chain holds the real return address.
  init(chain: RawWords?, registers: RegisterFile, stack: StackCopy, trampoline: UInt64) {
    originals = Self.originals(chain: chain, registers: registers, stack: stack, trampoline: trampoline)
  }

  /// The real return address for the next trampoline met while unwinding, or nil when the
  /// kernel's chain did not reach it.
  mutating func nextOriginal() -> UInt64? {
    guard next < originals.count else { return nil }
    defer { next += 1 }
    return originals[next]
  }

  /// The caller's registers for an instruction pointer in an XOL slot: the copied
  /// instruction is a probed function's entry (before its frame is set up) or a `RET`, so the
  /// return address is at `[rsp]` and every other register is still the caller's.
  static func slotStep(registers regs: RegisterFile, stack: StackCopy) -> RegisterFile? {
    guard let sp = regs[RegisterFile.sp], let ra = stack.word(at: sp) else { return nil }
    var next = regs
    next[RegisterFile.ip] = ra
    next[RegisterFile.sp] = sp &+ 8
    return next
  }

  /// See `init`: the user part of `chain` (after its instruction pointer) aligned with a
  /// frame-pointer walk of the copy, possibly one word later (the kernel adds `[rsp]` for a
  /// sample taken at a probed function's first instruction).
  static func originals(chain: RawWords?, registers: RegisterFile, stack: StackCopy, trampoline: UInt64) -> [UInt64] {
    guard let chain, let start = chain.firstIndex(of: PerfContext.user) else { return [] }
    let kernel = Array(chain[(start + 1)...].prefix { $0 < PerfContext.max }.dropFirst())
    guard kernel.contains(where: { $0 != trampoline }) else { return [] }
    var walked: [UInt64] = []
    var fp = registers[RegisterFile.fp] ?? 0
    while walked.count < kernel.count, fp & 7 == 0, let ra = stack.word(at: fp &+ 8), let up = stack.word(at: fp) {
      walked.append(ra)
      fp = up
    }
    guard walked.contains(trampoline) else { return [] }
    for shift in 0...1 {
      let pairs = zip(walked, kernel.dropFirst(shift))
      guard pairs.allSatisfy({ $0.0 == trampoline || $0.0 == $0.1 }) else { continue }
      return pairs.filter { $0.0 == trampoline && $0.1 != trampoline }.map(\.1)
    }
    return []
  }
}

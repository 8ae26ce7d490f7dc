/// How the sampler takes user call chains.
public enum CallGraph: Sendable, Equatable {
  /// The kernel walks frame pointers (cheap; garbage beyond the leaf without them).
  case framePointer
  /// Each sample copies `stackBytes` of the user stack and the user registers; an
  /// unwinder turns them into frames with the binaries' CFI.
  case dwarf(stackBytes: Int)
  /// DWARF when the main executable lacks frame-pointer prologues, else frame pointers.
  case auto

  /// The stack copy size used when none is given: the largest a record holds. The kernel
  /// copies only the live part of the stack, so shallow programs pay nothing for it, while
  /// deep ones need it: on the toolchain's clang 32 KiB copies let 0.1% of stacks reach the
  /// thread start and 60 KiB copies 70% (scripts/bench-unwind), at the same overhead.
  public static let defaultStackBytes = maximumStackBytes

  /// The largest stack copy the kernel can put in a record (its size field is 16 bits).
  public static let maximumStackBytes = 60 * 1024

  /// x86-64 PERF_REG_X86_* bits of the registers sampled for DWARF unwinding: AX..IP
  /// (bits 0–8: ax bx cx dx si di bp sp ip) and R8..R15 (bits 16–23).
  public static let x86UserRegisterMask: UInt64 = 0x1ff | (0xff << 16)
}

/// Supplies DWARF unwinding to the sampler from a layer that can read binaries.
///
/// Capture cannot parse ELF or CFI itself (it never imports Symbolize), so the shell hands
/// the sampler one of these: it decides `auto` and makes one unwinder per run.
public protocol UserStackUnwinding: Sendable {
  /// True when `executable` (a path) should be unwound with DWARF CFI because it lacks
  /// frame-pointer prologues (or cannot be checked).
  func prefersDWARF(executable: String) -> Bool
  /// A fresh unwinder for one run.
  func makeUnwinder() -> any UserStackUnwinder
  /// True when `executable`'s off-CPU stacks are better taken from frame pointers than from
  /// stack copies (Go: its syscall and futex paths keep frame pointers, its CFI is not read).
  func prefersFramePointersOffCPU(executable: String) -> Bool
}

extension UserStackUnwinding {
  /// Stack copies by default: libc's syscall wrappers keep no frame pointer.
  public func prefersFramePointersOffCPU(executable: String) -> Bool { false }
}

extension CallGraph {
  /// Parses `fp`, `dwarf`, `dwarf,BYTES` (as perf spells it) or `auto`; nil otherwise.
  public init?(option: String) {
    switch option {
    case "fp", "framepointer": self = .framePointer
    case "auto": self = .auto
    case "dwarf": self = .dwarf(stackBytes: CallGraph.defaultStackBytes)
    default:
      guard option.hasPrefix("dwarf,"), let n = Int(option.dropFirst(6)), n > 0 else { return nil }
      self = .dwarf(stackBytes: n)
    }
  }
}

/// How the sampler takes user call chains.
public enum CallGraph: Sendable, Equatable {
  /// The kernel walks frame pointers (cheap; garbage beyond the leaf without them).
  case framePointer
  /// Each sample copies `stackBytes` of the user stack and the user registers; an
  /// unwinder turns them into frames with the binaries' CFI.
  case dwarf(stackBytes: Int)
  /// Stack copies when any binary of the executable (itself, a script's interpreter, its
  /// libraries) lacks frame-pointer prologues, unwound per frame (CFI where the code has it,
  /// frame pointers where not); else the kernel's frame-pointer chains.
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
  /// Which binaries `executable` maps at start (itself or a script's interpreter, the loader,
  /// its needed libraries) and which of them lack frame pointers.
  func survey(executable: String) -> FramePointerSurvey
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

extension UserStackUnwinding {
  /// The executable alone, judged by `prefersDWARF`.
  public func survey(executable: String) -> FramePointerSurvey {
    FramePointerSurvey(checked: [executable], lacking: prefersDWARF(executable: executable) ? [executable] : [])
  }
}

/// Which of a program's binaries keep frame pointers: what `--call-graph auto` decides from.
public struct FramePointerSurvey: Sendable, Equatable {
  /// The binaries checked, the executable (or a script's interpreter) first.
  public var checked: [String]
  /// Those whose functions mostly lack frame-pointer prologues, or that could not be read.
  public var lacking: [String]

  /// Creates a value from its parts.
  public init(checked: [String], lacking: [String]) {
    self.checked = checked
    self.lacking = lacking
  }

  /// Whether the executable (the first binary checked) lacks frame pointers.
  public var executableLacks: Bool { checked.first.map { lacking.contains($0) } ?? true }

  /// "libc.so.6", "dash and libc.so.6", "dash, libc.so.6 and 2 more": base names for messages.
  public var lackingNames: String {
    let names = lacking.map { String($0.split(separator: "/").last ?? Substring($0)) }
    switch names.count {
    case 0: return "none"
    case 1: return names[0]
    case 2: return "\(names[0]) and \(names[1])"
    default: return "\(names[0]), \(names[1]) and \(names.count - 2) more"
    }
  }
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

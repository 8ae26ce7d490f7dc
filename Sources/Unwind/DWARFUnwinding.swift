import Capture
import Symbolize

/// The sampler's DWARF unwinding support: decides `--call-graph auto` from the executable's
/// prologues and makes a `DWARFUnwinder` per run.
public struct DWARFUnwinding: UserStackUnwinding {
  /// Below this share of functions with a frame-pointer prologue, `auto` picks DWARF.
  public var framePointerThreshold: Double

  /// Creates a value from its parts.
  public init(framePointerThreshold: Double = 0.5) {
    self.framePointerThreshold = framePointerThreshold
  }

  /// True unless the executable's functions mostly set up frame pointers. A file that cannot
  /// be read (or a script) gets DWARF: it works with frame pointers too, only costs more.
  public func prefersDWARF(executable: String) -> Bool {
    // Go keeps frame pointers on amd64 (its prologues start with a stack check, so the
    // prologue count below misses them) and ships no .eh_frame to unwind with.
    if GoBinaryDetector.isGo(path: executable) { return false }
    guard let binary = try? UnwindBinary(path: executable), let share = binary.framePointerPrologueShare() else {
      return true
    }
    return share < framePointerThreshold
  }

  /// A fresh unwinder.
  public func makeUnwinder() -> any UserStackUnwinder { DWARFUnwinder() }

  /// Go: frame pointers everywhere, also in the runtime's futex and syscall paths.
  public func prefersFramePointersOffCPU(executable: String) -> Bool { GoBinaryDetector.isGo(path: executable) }
}

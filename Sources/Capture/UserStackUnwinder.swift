/// Turns a sample's user-stack copy and registers into user frames.
///
/// The CPU sampler uses kernel frame-pointer call chains and needs none; DWARF unwinding
/// (`PERF_SAMPLE_REGS_USER | STACK_USER`) plugs in here without touching the converter.
public protocol UserStackUnwinder {
  /// Appends the user frames of `sample`, leaf first, to `frames`: the first is the exact
  /// instruction pointer, the others are return addresses (the converter subtracts one
  /// from those). A frame that could not be unwound is `UnwoundFrame.unknownFrame` (or
  /// `.truncatedFrame` for a stack deeper than the copy) and ends the stack. Returns false when the sample carries nothing to unwind, in which case
  /// the converter falls back to the kernel call chain.
  mutating func unwind(
    _ sample: PerfSample, pid: Int32, addressSpace: AddressSpace, objects: [MappedObject],
    into frames: inout [UInt64]
  ) -> Bool

  /// Lines for `RunInfo.notes` once the run is over (e.g. complete vs truncated stacks).
  func notes() -> [String]
}

extension UserStackUnwinder {
  /// No notes by default.
  public func notes() -> [String] { [] }
}

/// Marker frames an unwinder may emit.
public enum UnwoundFrame {
  /// The frame where unwinding failed: becomes one `[unknown]` location (address 0, no mapping).
  public static let unknownFrame: UInt64 = 0
  /// The frame where a stack deeper than its copy (or the frame limit) was cut: becomes the
  /// thread's one `[truncated]` root, so cut stacks never start a second `[unknown]` tree.
  public static let truncatedFrame: UInt64 = 1
}

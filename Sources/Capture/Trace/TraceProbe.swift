/// One traced function as Capture sees it: where to put its probes, found by the caller
/// (the Symbolize layer resolves names; Capture only needs a file and an offset).
public struct TraceProbe: Sendable, Equatable {
  /// The ELF file holding the function (executable or shared library).
  public var path: String
  /// File offset of the function's first instruction.
  public var fileOffset: UInt64
  /// Whether a return probe is placed too (false for Go code, whose stacks move).
  public var probesReturns: Bool

  /// Creates a value from its parts.
  public init(path: String, fileOffset: UInt64, probesReturns: Bool) {
    self.path = path
    self.fileOffset = fileOffset
    self.probesReturns = probesReturns
  }
}

/// One probe hit from the ring: which function, entry or return, which thread, when.
public struct TraceHit: Sendable, Equatable {
  /// CLOCK_MONOTONIC nanoseconds.
  public var time: UInt64
  /// The thread that hit the probe.
  public var tid: UInt32
  /// Index of the function in the probe list.
  public var function: UInt32
  /// True for a return probe.
  public var isReturn: Bool

  /// Creates a value from its parts.
  public init(time: UInt64, tid: UInt32, function: UInt32, isReturn: Bool) {
    self.time = time
    self.tid = tid
    self.function = function
    self.isReturn = isReturn
  }
}

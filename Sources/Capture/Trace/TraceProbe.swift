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

/// One record of a traced thread from the ring, in time order: a probe hit (entry or
/// return of a function) or the thread leaving or getting back a CPU (context switch).
///
/// Switches let the shadow stacks tell CPU time from wall time: a call's CPU time is its
/// wall time minus the time its thread spent switched out in between.
public struct TraceHit: Sendable, Equatable {
  /// What happened.
  public enum Kind: UInt8, Sendable, Equatable {
    /// The function's entry probe fired.
    case entry
    /// The function's return probe fired.
    case `return`
    /// The thread was switched out (preempted or blocked).
    case switchOut
    /// The thread was switched back in.
    case switchIn
  }

  /// CLOCK_MONOTONIC nanoseconds.
  public var time: UInt64
  /// The thread that hit the probe.
  public var tid: UInt32
  /// Index of the function in the probe list (0 for switches).
  public var function: UInt32
  /// Entry, return or switch.
  public var kind: Kind

  /// True for a return probe.
  public var isReturn: Bool { kind == .return }

  /// A probe hit from its parts.
  public init(time: UInt64, tid: UInt32, function: UInt32, isReturn: Bool) {
    self.init(time: time, tid: tid, function: function, kind: isReturn ? .return : .entry)
  }

  /// A record of any kind from its parts.
  public init(time: UInt64, tid: UInt32, function: UInt32 = 0, kind: Kind) {
    self.time = time
    self.tid = tid
    self.function = function
    self.kind = kind
  }
}

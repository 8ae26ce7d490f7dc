/// One traced function as Capture sees it: where to put its probes, found by the caller
/// (the Symbolize layer resolves names; Capture only needs a file and an offset).
public struct TraceProbe: Sendable, Equatable {
  /// The ELF file holding the function (executable or shared library).
  public var path: String
  /// File offset of the function's first instruction.
  public var fileOffset: UInt64
  /// Whether a return probe (uretprobe) is placed too (never for Go code, whose stacks move).
  public var probesReturns: Bool
  /// File offsets of the function's `RET` instructions, each probed as a return (Go: what
  /// replaces the uretprobe, which would hijack the return address).
  public var returnOffsets: [UInt64]
  /// File offsets of jumps out of the function (tail calls): the call ends there without
  /// returning, counted apart from the timed calls.
  public var exitOffsets: [UInt64]
  /// File offsets where a call just entered restarts from its entry (Go's `call
  /// runtime.morestack` when the entry probe sits on the stack check): the entry is undone.
  public var restartOffsets: [UInt64]
  /// Go code of the register ABI: each hit samples R14 (the current goroutine's `g`) so
  /// calls pair per goroutine, not per thread.
  public var readsGoroutine: Bool

  /// Creates a value from its parts.
  public init(
    path: String, fileOffset: UInt64, probesReturns: Bool, returnOffsets: [UInt64] = [], exitOffsets: [UInt64] = [],
    restartOffsets: [UInt64] = [], readsGoroutine: Bool = false
  ) {
    self.restartOffsets = restartOffsets
    self.path = path
    self.fileOffset = fileOffset
    self.probesReturns = probesReturns
    self.returnOffsets = returnOffsets
    self.exitOffsets = exitOffsets
    self.readsGoroutine = readsGoroutine
  }

  /// True when the function's calls are timed: a return probe or `RET` probes.
  public var hasReturns: Bool { probesReturns || !returnOffsets.isEmpty }
}

/// Go's scheduler as the tracer watches it: the entry of `runtime.execute(gp, …)`, where an
/// OS thread starts running goroutine `gp` (in RAX, register ABI). It tells which goroutine
/// each thread runs, so a goroutine's CPU time is the time its threads ran it.
public struct GoSchedulerProbe: Sendable, Equatable {
  /// The Go executable.
  public var path: String
  /// File offset of `runtime.execute`'s entry.
  public var fileOffset: UInt64

  /// Creates a value from its parts.
  public init(path: String, fileOffset: UInt64) {
    self.path = path
    self.fileOffset = fileOffset
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
    /// The function jumped out (a tail call): its call ends without a return.
    case tailJump
    /// Go's scheduler starts running goroutine `goroutine` on the thread.
    case goroutineStart
    /// The function's last entry was a false start: it restarts from its entry (Go stack growth).
    case restart
  }

  /// CLOCK_MONOTONIC nanoseconds.
  public var time: UInt64
  /// The thread that hit the probe.
  public var tid: UInt32
  /// Index of the function in the probe list (0 for switches).
  public var function: UInt32
  /// Entry, return or switch.
  public var kind: Kind
  /// The goroutine (its `g` pointer, from R14) of a Go probe hit; the goroutine started for
  /// `goroutineStart`; 0 when not known (not Go code).
  public var goroutine: UInt64 = 0

  /// True for a return probe.
  public var isReturn: Bool { kind == .return }

  /// A probe hit from its parts.
  public init(time: UInt64, tid: UInt32, function: UInt32, isReturn: Bool) {
    self.init(time: time, tid: tid, function: function, kind: isReturn ? .return : .entry)
  }

  /// A record of any kind from its parts.
  public init(time: UInt64, tid: UInt32, function: UInt32 = 0, kind: Kind, goroutine: UInt64 = 0) {
    self.time = time
    self.tid = tid
    self.function = function
    self.kind = kind
    self.goroutine = goroutine
  }
}

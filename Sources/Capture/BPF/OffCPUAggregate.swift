/// Off-CPU time of one (thread, stacks, state) added up in the kernel (the BPF path of
/// `run --off-cpu`), the input of `ProfileConverter.consume(offCPUAggregates:)`.
public struct OffCPUAggregate: Sendable, Equatable {
  public var pid: Int32
  public var tid: Int32
  /// Kernel frames where the thread left the CPU, leaf first (then return addresses).
  public var kernelStack: [UInt64]
  /// User frames (frame-pointer walk), leaf first; empty when `userCopy` holds the user stack.
  public var userStack: [UInt64]
  /// The user registers and stack bytes where the thread left the CPU, to unwind with CFI.
  public var userCopy: OffCPUStackCopy?
  /// Preempted or yielded while still runnable, rather than blocked.
  public var runnable: Bool
  public var nanos: Int64
  /// How many waits were added up.
  public var waits: Int
  /// The long waits one by one (the kernel keeps those of at least 100 µs), for the critical-thread rule.
  public var intervals: [OffCPUWait]

  public init(
    pid: Int32, tid: Int32, kernelStack: [UInt64], userStack: [UInt64], runnable: Bool, nanos: Int64, waits: Int,
    intervals: [OffCPUWait] = [], userCopy: OffCPUStackCopy? = nil
  ) {
    self.userCopy = userCopy
    self.pid = pid
    self.tid = tid
    self.kernelStack = kernelStack
    self.userStack = userStack
    self.runnable = runnable
    self.nanos = nanos
    self.waits = waits
    self.intervals = intervals
  }
}

/// One wait off the CPU, from `start` to `end` (CLOCK_MONOTONIC ns), and the target thread
/// that woke the thread, when one did.
public struct OffCPUWait: Sendable, Equatable {
  public var start: UInt64
  public var end: UInt64
  public var waker: Int32?

  public init(start: UInt64, end: UInt64, waker: Int32?) {
    self.start = start
    self.end = end
    self.waker = waker
  }
}

/// A thread's user registers (perf's `sample_regs_user` order for
/// `CallGraph.x86UserRegisterMask`) and the bytes of its user stack from its stack pointer, as
/// the BPF path copies them once per place a thread leaves the CPU from.
public struct OffCPUStackCopy: Sendable, Equatable {
  public var registers: [UInt64]
  public var stack: [UInt8]

  public init(registers: [UInt64], stack: [UInt8]) {
    self.registers = registers
    self.stack = stack
  }
}

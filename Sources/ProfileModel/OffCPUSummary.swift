/// Totals of an off-CPU capture (`run --off-cpu`): how often and how long the target's threads
/// were off the CPU, and how much of that they were runnable (preempted) rather than blocked.
public struct OffCPUSummary: Sendable, Equatable {
  /// Switch-outs recorded (one off-CPU sample each).
  public var switches: Int = 0
  /// Off-CPU time of every thread, summed: switch-out to the next switch-in.
  public var offCPUNanos: Int64 = 0
  /// The part of `offCPUNanos` spent preempted while runnable (waiting for a CPU, not for an event).
  public var runnableNanos: Int64 = 0
  /// Switch-outs with no switch-in before the capture ended (a thread exited or was still waiting).
  public var unfinished: Int = 0
  /// Thread id of the target's main thread (the first exec), whose waits the summary explains.
  public var mainThread: Int32?
  /// Records the kernel dropped from the switch rings.
  public var lostRecords: UInt64 = 0

  public init() {}
}

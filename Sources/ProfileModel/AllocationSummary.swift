/// What an allocation-recording run (`run --alloc`) measured as a whole, beside the heap
/// sample types; values are estimates unbiased for the sampling rate, as the samples are.
public struct AllocationSummary: Sendable, Equatable {
  /// Mean bytes between samples the recorder was asked for.
  public var rate: Int64
  /// Processes that loaded the recorder (0: the target could not be interposed).
  public var processes: Int
  /// Allocation records received.
  public var sampledAllocations: Int
  /// Estimated bytes allocated and objects allocated over the run.
  public var allocatedBytes: Int64
  public var allocatedObjects: Int64
  /// Estimated bytes still allocated when the run ended.
  public var inUseBytes: Int64
  /// Highest estimated bytes in use, and when (nanoseconds after the target started).
  public var peakInUseBytes: Int64
  public var peakNanos: Int64
  /// Records the ring dropped because it was full; blocks whose frees could not be tracked.
  public var lostRecords: Int64
  public var untrackedBlocks: Int64

  public init(
    rate: Int64, processes: Int = 0, sampledAllocations: Int = 0, allocatedBytes: Int64 = 0,
    allocatedObjects: Int64 = 0,
    inUseBytes: Int64 = 0, peakInUseBytes: Int64 = 0, peakNanos: Int64 = 0, lostRecords: Int64 = 0,
    untrackedBlocks: Int64 = 0
  ) {
    self.rate = rate
    self.processes = processes
    self.sampledAllocations = sampledAllocations
    self.allocatedBytes = allocatedBytes
    self.allocatedObjects = allocatedObjects
    self.inUseBytes = inUseBytes
    self.peakInUseBytes = peakInUseBytes
    self.peakNanos = peakNanos
    self.lostRecords = lostRecords
    self.untrackedBlocks = untrackedBlocks
  }

  /// This run and `other` as one (`run -n N`): totals summed, the higher peak kept.
  public func merged(with other: AllocationSummary) -> AllocationSummary {
    var m = self
    m.processes += other.processes
    m.sampledAllocations += other.sampledAllocations
    m.allocatedBytes += other.allocatedBytes
    m.allocatedObjects += other.allocatedObjects
    m.inUseBytes += other.inUseBytes
    if other.peakInUseBytes > peakInUseBytes {
      m.peakInUseBytes = other.peakInUseBytes
      m.peakNanos = other.peakNanos
    }
    m.lostRecords += other.lostRecords
    m.untrackedBlocks += other.untrackedBlocks
    return m
  }
}

import ProfileModel

/// The outcome of a capture: the profile (address-only locations) and capture statistics.
public struct CaptureResult: Sendable {
  /// Samples with locations and mappings but no lines yet; `run` is filled.
  public var profile: Profile
  /// SAMPLE records received (before aggregation).
  public var sampleRecords: Int
  /// Records the kernel dropped (PERF_RECORD_LOST), also in `profile.run.lostRecords`.
  public var lostRecords: UInt64
  /// Times the kernel throttled sampling.
  public var throttles: Int
  /// CPUs events were opened on, and the bytes drained from each CPU's ring.
  public var cpus: [Int32]
  /// Bytes drained from each CPU's ring, in `cpus` order.
  public var ringBytesDrained: [UInt64]
  /// Size of each ring's data area in bytes.
  public var ringDataBytes: Int
  /// Whether kernel frames were sampled.
  public var kernelFrames: Bool
  /// The target's pid.
  public var pid: Int32
  /// Time from the target's exit to this result (final drain and conversion), in nanoseconds.
  public var finishNanos: Int64
}

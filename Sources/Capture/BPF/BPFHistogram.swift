import CBPF

/// One log-linear histogram of self times as trace.bpf keeps it (bucket scheme of
/// `bucket_of`: values below 32 exact, above 32 sub-buckets per power of two, so a bucket is
/// at most 1/32 ≈ 3.1 % wide), summed over CPUs; gives nearest-rank percentiles.
public struct BPFHistogram: Sendable, Equatable {
  /// Calls per bucket.
  public private(set) var counts: [UInt64]
  static let subBits = Int(PERFSH_TRACE_SUB_BITS)
  /// Buckets per histogram.
  public static let bucketCount = Int(PERFSH_TRACE_BUCKETS)

  /// An empty histogram.
  public init() { counts = Array(repeating: 0, count: Self.bucketCount) }

  /// The sum of per-CPU histograms.
  public init(perCPU: [[UInt64]]) {
    self.init()
    for cpu in perCPU {
      for (i, n) in cpu.prefix(Self.bucketCount).enumerated() { counts[i] &+= n }
    }
  }

  /// Counts `value` as the kernel does (for tests of the Swift side).
  public mutating func record(_ value: UInt64) { counts[Self.bucket(of: value)] &+= 1 }

  /// The bucket of `v` (the same arithmetic as trace.bpf's `bucket_of`).
  public static func bucket(of v: UInt64) -> Int {
    let sub = UInt64(1) << subBits
    if v < sub { return Int(v) }
    let exponent = 63 - v.leadingZeroBitCount
    let shift = exponent - subBits
    let mantissa = Int((v >> UInt64(shift)) & (sub - 1))
    return min((shift + 1) << subBits | mantissa, bucketCount - 1)
  }

  /// The smallest and largest value of bucket `index`.
  public static func bounds(of index: Int) -> ClosedRange<UInt64> {
    let sub = 1 << subBits
    if index < sub { return UInt64(index)...UInt64(index) }
    let shift = UInt64((index >> subBits) - 1)
    let mantissa = UInt64(index & (sub - 1) | sub)
    return (mantissa << shift)...(((mantissa + 1) << shift) - 1)
  }

  /// Values counted.
  public var total: UInt64 { counts.reduce(0, &+) }

  /// The nearest-rank percentile `p` (0...100) as its bucket's midpoint (within half a bucket,
  /// ≤ 1.6 %, of the true value), never above `maximum`; nil when empty.
  public func percentile(_ p: Double, maximum: UInt64) -> UInt64? {
    let n = total
    guard n > 0 else { return nil }
    let rank = min(max(UInt64((p / 100 * Double(n)).rounded(.up)), 1), n)
    var seen: UInt64 = 0
    for (i, count) in counts.enumerated() where count > 0 {
      seen &+= count
      if seen >= rank {
        let b = Self.bounds(of: i)
        return min(b.lowerBound + (b.upperBound - b.lowerBound) / 2, maximum)
      }
    }
    return maximum
  }
}

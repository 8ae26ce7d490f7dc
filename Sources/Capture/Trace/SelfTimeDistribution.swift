/// The self times of one function's calls, for Max and P95.
///
/// Exact (every value kept, nearest-rank percentiles) up to `exactLimit` calls; beyond
/// that the values fold into a log-linear histogram (64 sub-buckets per power of two, so a
/// percentile is within 1/64 ≈ 1.6% of the true value), bounding memory at 32 KiB per
/// function however many calls are traced. The maximum is always exact.
/// (hdrhistogram-swift would do the same; it needs a package fetch this build avoids.)
public struct SelfTimeDistribution: Sendable, Equatable {
  /// Calls kept exactly before folding into the histogram.
  public static let exactLimit = 1 << 20
  private static let subBucketBits = 6

  private var values: [Int64] = []
  private var buckets: [Int64] = []
  /// Number of values recorded.
  public private(set) var count = 0
  /// The largest value recorded.
  public private(set) var maximum: Int64 = 0

  /// An empty distribution.
  public init() {}

  /// True while every value is kept (percentiles are exact).
  public var isExact: Bool { buckets.isEmpty }

  /// Records one call's self time (negative values count as zero).
  public mutating func record(_ nanos: Int64) {
    let v = max(0, nanos)
    count += 1
    if v > maximum { maximum = v }
    if buckets.isEmpty {
      values.append(v)
      if values.count > Self.exactLimit { fold() }
    } else {
      buckets[Self.bucket(of: v)] += 1
    }
  }

  /// The nearest-rank percentile `p` (0...100), nil when empty.
  public func percentile(_ p: Double) -> Int64? {
    guard count > 0 else { return nil }
    let rank = min(max(Int((p / 100 * Double(count)).rounded(.up)), 1), count)
    if buckets.isEmpty { return values.sorted()[rank - 1] }
    var seen: Int64 = 0
    for (i, n) in buckets.enumerated() where n > 0 {
      seen += n
      if seen >= Int64(rank) { return min(Self.upperBound(of: i), maximum) }
    }
    return maximum
  }

  private mutating func fold() {
    buckets = Array(repeating: 0, count: 64 << Self.subBucketBits)
    for v in values { buckets[Self.bucket(of: v)] += 1 }
    values = []
  }

  /// The histogram bucket of `v`: values below 64 map to themselves; above, the power of two and the
  /// next 6 bits.
  public static func bucket(of v: Int64) -> Int {
    let sub = Int64(1) << subBucketBits
    if v < sub { return Int(v) }
    let exponent = 63 - v.leadingZeroBitCount  // ≥ 6
    let shift = exponent - subBucketBits
    let mantissa = Int((v >> shift) & (sub - 1))
    return (shift + 1) << subBucketBits | mantissa
  }

  /// The largest value that maps to bucket `index`.
  public static func upperBound(of index: Int) -> Int64 {
    let sub = 1 << subBucketBits
    if index < sub { return Int64(index) }
    let shift = (index >> subBucketBits) - 1
    let mantissa = Int64(index & (sub - 1)) | Int64(sub)
    return ((mantissa + 1) << shift) - 1
  }
}

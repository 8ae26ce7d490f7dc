/// Every self time of one function's calls, kept exactly, for Max and P95.
///
/// hdrhistogram-swift would bound memory, but needs a network fetch this build cannot
/// rely on; keeping the values costs 8 bytes per call and gives exact percentiles
/// (nearest-rank), which is what a test with ground truth wants.
public struct SelfTimeDistribution: Sendable, Equatable {
  private var values: [Int64] = []
  /// The largest value recorded.
  public private(set) var maximum: Int64 = 0

  /// An empty distribution.
  public init() {}

  /// Number of values recorded.
  public var count: Int { values.count }

  /// Records one call's self time.
  public mutating func record(_ nanos: Int64) {
    values.append(nanos)
    if nanos > maximum { maximum = nanos }
  }

  /// The nearest-rank percentile `p` (0...100), nil when empty.
  public func percentile(_ p: Double) -> Int64? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
  }
}

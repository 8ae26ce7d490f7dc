/// When a sampled profile's time was spent: CPU self time per leaf location in
/// `bucketCount` equal time buckets over the run, so views can draw how each function's cost
/// moved (the heatmap sparkline).
///
/// Sparse (only the (location, bucket) cells that got samples) and bounded: at most
/// `bucketCount` cells per leaf location and never more cells than samples; no time is kept
/// per sample. `SampleTimelineRecorder` builds one while records arrive.
public struct SampleTimeline: Sendable, Equatable {
  /// Buckets of a finished timeline.
  public static let bucketCount = 64

  /// The run time the buckets cover, in nanoseconds: bucket `b` is
  /// `[b, b + 1) × spanNanos / bucketCount` after the run's start.
  public var spanNanos: Int64
  /// How many runs are overlaid (`run -n`: each run's own time scaled to the span, the mean
  /// run length); 1 for a single run.
  public var runs: Int
  /// Self time (the sampled `cpu` nanoseconds) per `cellKey(location, bucket)`.
  public private(set) var cells: [UInt64: Int64]

  /// A timeline of `cells` over `spanNanos`; cells of buckets past `bucketCount` are dropped.
  public init(spanNanos: Int64, runs: Int = 1, cells: [UInt64: Int64] = [:]) {
    self.spanNanos = max(0, spanNanos)
    self.runs = max(1, runs)
    self.cells = cells.filter { Self.bucket(of: $0.key) < Self.bucketCount && $0.value != 0 }
  }

  /// The key of a cell.
  @inlinable public static func cellKey(_ location: LocationID, _ bucket: Int) -> UInt64 {
    UInt64(UInt32(bitPattern: location.raw)) << 8 | UInt64(UInt8(truncatingIfNeeded: bucket))
  }

  /// The location of a cell key.
  @inlinable public static func location(of key: UInt64) -> LocationID { LocationID(Int(key >> 8)) }

  /// The bucket of a cell key.
  @inlinable public static func bucket(of key: UInt64) -> Int { Int(key & 0xff) }

  /// Adds `value` to `location`'s bucket `bucket` (clamped into the buckets).
  public mutating func add(_ value: Int64, location: LocationID, bucket: Int) {
    guard value != 0 else { return }
    let b = min(max(0, bucket), Self.bucketCount - 1)
    cells[Self.cellKey(location, b), default: 0] &+= value
  }

  /// The dense series of every location that has cells.
  public func seriesByLocation() -> [LocationID: [Int64]] {
    var out: [LocationID: [Int64]] = [:]
    for (key, value) in cells {
      out[Self.location(of: key), default: [Int64](repeating: 0, count: Self.bucketCount)][Self.bucket(of: key)] &+=
        value
    }
    return out
  }

  /// The sum over all cells.
  public var total: Int64 { cells.values.reduce(0, &+) }

  /// Another run's timeline added bucket by bucket (normalized run time: bucket `b` is the
  /// same fraction of every run), with its locations mapped through `map`; the span becomes
  /// the runs' mean. Cells whose location `map` does not know are left out.
  public mutating func overlay(_ other: SampleTimeline, mapping map: (LocationID) -> LocationID?) {
    for (key, value) in other.cells {
      guard let location = map(Self.location(of: key)) else { continue }
      add(value, location: location, bucket: Self.bucket(of: key))
    }
    let n = Int64(runs + other.runs)
    spanNanos = Int64(
      (Double(spanNanos) * Double(runs) + Double(other.spanNanos) * Double(other.runs)) / Double(n))
    runs += other.runs
  }

  /// Moves each location's cells to other leaf locations in proportion to `shares`
  /// (`shares[from]` = (to, weight) pairs, e.g. the CPU time of the samples whose leaf
  /// went from `from` to `to` when stacks were rewritten). Each cell's mass is kept exactly;
  /// locations without shares stay.
  public mutating func redistribute(_ shares: [LocationID: [(LocationID, Int64)]]) {
    guard !shares.isEmpty else { return }
    var moved: [UInt64: Int64] = [:]
    for (key, value) in cells {
      let from = Self.location(of: key)
      let bucket = Self.bucket(of: key)
      guard let targets = shares[from], !targets.isEmpty else {
        moved[key, default: 0] &+= value
        continue
      }
      let parts = TimelineMath.split(value, weights: targets.map(\.1))
      for (i, target) in targets.enumerated() where parts[i] != 0 {
        moved[Self.cellKey(target.0, bucket), default: 0] &+= parts[i]
      }
    }
    cells = moved.filter { $0.value != 0 }
  }
}

/// Builds a `SampleTimeline` while samples arrive in time order (roughly): a fine grid of
/// `captureBuckets` buckets that doubles its bucket width (merging neighbours) whenever a
/// sample lands past its end, so memory stays bounded however long the run; `finish`
/// resamples it to the timeline's equal buckets over the run's span. Each cell keeps the
/// times of its first and last sample and its mass is spread over those only, so a capture
/// bucket that straddles a timeline bucket's edge puts none of a function's time on a side
/// where none of its samples fell (one phase never leaks into the next one's bucket).
public struct SampleTimelineRecorder: Sendable {
  /// Buckets of the capture grid (twice the timeline's, so the final resampling only merges).
  public static let captureBuckets = 2 * SampleTimeline.bucketCount
  /// Width of one capture bucket in nanoseconds (doubles as the run grows).
  public private(set) var bucketNanos: Int64
  /// The start time (same clock as the samples' times); nil until the first sample or `start`.
  public private(set) var startNanos: UInt64?
  /// Latest offset a sample counts at (about 36 years): later times of a corrupt stream count
  /// there, so no bucket arithmetic can overflow.
  public static let maxOffsetNanos: Int64 = 1 << 60
  /// The latest sample offset seen.
  public private(set) var lastOffset: Int64 = 0
  private var cells: [UInt64: Cell] = [:]

  /// One capture cell: its self time and the offsets of its earliest and latest sample.
  private struct Cell: Sendable {
    var value: Int64
    var first: Int64
    var last: Int64

    /// An empty cell that `merge` fills.
    init(at offset: Int64) { (value, first, last) = (0, offset, offset) }

    mutating func merge(_ value: Int64, first: Int64, last: Int64) {
      self.value &+= value
      self.first = Swift.min(self.first, first)
      self.last = Swift.max(self.last, last)
    }
  }

  /// An empty recorder whose first buckets are `initialBucketNanos` wide. From 1 ns the grid
  /// widens only as far as the run needs, so a capture bucket is never wider than a
  /// timeline bucket (a doubling costs one pass over the few cells of that moment).
  public init(initialBucketNanos: Int64 = 1) {
    bucketNanos = max(1, initialBucketNanos)
  }

  /// Sets the run's start (e.g. the target's exec); samples before it count at 0.
  public mutating func start(at time: UInt64) {
    if startNanos == nil { startNanos = time }
  }

  /// Records `value` of self time at `location`, sampled at `time`.
  public mutating func record(_ value: Int64, location: LocationID, time: UInt64) {
    guard value != 0 else { return }
    if startNanos == nil { startNanos = time }
    let start = startNanos ?? time
    let offset = time > start ? min(Int64(clamping: time - start), Self.maxOffsetNanos) : 0
    lastOffset = max(lastOffset, offset)
    while offset / bucketNanos >= Int64(Self.captureBuckets) { widen() }
    let key = UInt64(UInt32(bitPattern: location.raw)) << 8 | UInt64(offset / bucketNanos)
    cells[key, default: Cell(at: offset)].merge(value, first: offset, last: offset)
  }

  /// True when nothing was recorded.
  public var isEmpty: Bool { cells.isEmpty }

  /// Cells held now (for memory checks).
  public var cellCount: Int { cells.count }

  /// The finished timeline over `spanNanos` (at least up to the last sample): each capture
  /// cell's mass goes to the timeline buckets its samples' time range (first to last sample)
  /// overlaps, in proportion, exactly.
  public func finish(spanNanos: Int64? = nil) -> SampleTimeline {
    let span = max(min(spanNanos ?? 0, Self.maxOffsetNanos), lastOffset + 1, 1)
    var out = SampleTimeline(spanNanos: span)
    let n = SampleTimeline.bucketCount
    for (key, cell) in cells {
      let location = SampleTimeline.location(of: key)
      // The samples' time range, cut at the span (samples past it count in the last bucket).
      let from = min(cell.first, span - 1)
      let to = min(max(from + 1, cell.last + 1), span)
      let parts = TimelineMath.resample(
        [cell.value], sourceEdges: [Double(from), Double(to)], targetCount: n, targetSpan: Double(span))
      for (i, part) in parts.enumerated() where part != 0 { out.add(part, location: location, bucket: i) }
    }
    return out
  }

  private mutating func widen() {
    bucketNanos = bucketNanos.multipliedReportingOverflow(by: 2).overflow ? Int64.max : bucketNanos * 2
    var merged: [UInt64: Cell] = [:]
    merged.reserveCapacity(cells.count)
    for (key, cell) in cells {
      merged[(key >> 8) << 8 | ((key & 0xff) >> 1), default: Cell(at: cell.first)]
        .merge(cell.value, first: cell.first, last: cell.last)
    }
    cells = merged
  }
}

/// Integer arithmetic of timelines that never loses or invents mass.
public enum TimelineMath {
  /// `value` split into integer parts proportional to `weights` (non-positive weights get
  /// nothing) whose sum is exactly `value` (all of it to the first part when no weight is positive).
  public static func split(_ value: Int64, weights: [Int64]) -> [Int64] {
    let positive = weights.map { max(0, $0) }
    let total = positive.reduce(0.0) { $0 + Double($1) }
    guard !weights.isEmpty else { return [] }
    guard total > 0 else { return [value] + [Int64](repeating: 0, count: weights.count - 1) }
    var parts = [Int64](repeating: 0, count: weights.count)
    var cumulative = 0.0
    var given: Int64 = 0
    for i in positive.indices {
      cumulative += Double(positive[i])
      let upTo = i == positive.count - 1 ? value : Int64((Double(value) * cumulative / total).rounded())
      parts[i] = upTo &- given
      given = upTo
    }
    return parts
  }

  /// Values over source intervals (`sourceEdges[i]..<sourceEdges[i+1]`, increasing) resampled
  /// to `targetCount` equal intervals over `0..<targetSpan`, each value shared by overlap and
  /// rounded so the result sums exactly to the values' sum (mass past the span goes to the
  /// last interval, before 0 to the first).
  public static func resample(_ values: [Int64], sourceEdges: [Double], targetCount: Int, targetSpan: Double)
    -> [Int64]
  {
    guard targetCount > 0 else { return [] }
    let exact = resampled(values, sourceEdges: sourceEdges, targetCount: targetCount, targetSpan: targetSpan)
    let total = values.reduce(0, &+)
    var out = [Int64](repeating: 0, count: targetCount)
    var cumulative = 0.0
    var given: Int64 = 0
    for i in 0..<targetCount {
      cumulative += exact[i]
      let upTo = i == targetCount - 1 ? total : Int64(cumulative.rounded())
      out[i] = upTo &- given
      given = upTo
    }
    return out
  }

  /// As `resample`, in real numbers (no rounding): what a view draws.
  public static func resampled(_ values: [Int64], sourceEdges: [Double], targetCount: Int, targetSpan: Double)
    -> [Double]
  {
    guard targetCount > 0 else { return [] }
    var out = [Double](repeating: 0, count: targetCount)
    let width = targetSpan > 0 ? targetSpan / Double(targetCount) : 1
    for (i, value) in values.enumerated() where value != 0 && i + 1 < sourceEdges.count {
      let a = min(max(0, sourceEdges[i]), max(0, targetSpan))
      let b = min(max(a, sourceEdges[i + 1]), max(0, targetSpan))
      let v = Double(value)
      if b <= a {
        // An empty interval (at or past an edge of the span): all of it to the nearest column.
        let column = min(targetCount - 1, max(0, Int(a / width)))
        out[column] += v
        continue
      }
      let first = min(targetCount - 1, Int(a / width))
      let last = min(targetCount - 1, max(first, Int((b / width).rounded(.up)) - 1))
      for c in first...last {
        let lo = max(a, Double(c) * width)
        let hi = c == targetCount - 1 ? b : min(b, Double(c + 1) * width)
        if hi > lo { out[c] += v * (hi - lo) / (b - a) }
      }
    }
    return out
  }
}

import ProfileModel

/// A session's sample timeline (`Profile.timeline`) in a session file: Profile field 22,
/// `Timeline { uint64 version = 1; int64 span_nanos = 2; uint64 runs = 3; uint64 count = 4;
/// packed location = 5, bucket = 6; packed zigzag value = 7; }`, cells sorted by location and
/// bucket. Older perfsh skips the field; a file without it opens with no timeline (the
/// sparkline says the session has no sample times). A newer `version` is refused.
enum SessionArchiveTimeline {
  /// The Profile field number.
  static let field = 22
  /// The timeline layout this perfsh writes and reads.
  static let version: UInt64 = 1

  static func write(_ timeline: SampleTimeline) -> ProtoWriter {
    let cells = timeline.cells.sorted { $0.key < $1.key }
    var w = ProtoWriter(capacity: cells.count * 6 + 32)
    w.uint64(1, version)
    w.int64(2, timeline.spanNanos)
    w.uint64(3, UInt64(timeline.runs))
    w.uint64(4, UInt64(cells.count))
    w.packed(5, cells.map { UInt64(SampleTimeline.location(of: $0.key).raw) })
    w.packed(6, cells.map { UInt64(SampleTimeline.bucket(of: $0.key)) })
    w.packed(7, cells.map { zigzag($0.value) })
    return w
  }

  static func read(_ r: inout ProtoReader, locations: Int) throws(FormatError) -> SampleTimeline {
    let m = "timeline"
    var v: UInt64 = 0
    var span: Int64 = 0
    var runs: UInt64 = 1
    var count: UInt64 = 0
    var columns = [[UInt64]](repeating: [], count: 8)
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: v = try r.uint64(field, wire, in: m)
      case 2: span = try r.int64(field, wire, in: m)
      case 3: runs = try r.uint64(field, wire, in: m)
      case 4: count = try r.uint64(field, wire, in: m)
      case 5...7: columns[Int(field)] += try r.packedValues(field, wire, in: m)
      default: try r.skip(wire)
      }
    }
    guard v >= 1, v <= version else {
      throw .invalidArchive(reason: "timeline layout \(v) is not one this perfsh reads (up to \(version))")
    }
    let n = Int(clamping: count)
    for c in 5...7 where columns[c].count != n {
      throw .invalidArchive(reason: "timeline: column \(c) has \(columns[c].count) values for \(n) cells")
    }
    guard span >= 0, runs >= 1, runs <= UInt64(Int32.max) else {
      throw .invalidArchive(reason: "timeline: span \(span) ns over \(runs) runs")
    }
    var cells: [UInt64: Int64] = [:]
    cells.reserveCapacity(n)
    for i in 0..<n {
      let location = columns[5][i]
      let bucket = columns[6][i]
      guard location < UInt64(locations) else {
        throw .invalidArchive(reason: "timeline names location \(location), which does not exist")
      }
      guard bucket < UInt64(SampleTimeline.bucketCount) else {
        throw .invalidArchive(reason: "timeline bucket \(bucket) is past the \(SampleTimeline.bucketCount) buckets")
      }
      cells[SampleTimeline.cellKey(LocationID(Int(location)), Int(bucket)), default: 0] &+= unzigzag(columns[7][i])
    }
    return SampleTimeline(spanNanos: span, runs: Int(runs), cells: cells)
  }

  private static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
  private static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }
}

import ProfileModel

/// perfsh's extension of pprof's Profile message: the exact per-call statistics of traced
/// functions (Count, CPU Time, Avg, Max, P95 and the other clock's views) in one field that
/// `go tool pprof` skips as unknown (its decoder ignores field numbers it does not know) and
/// perfsh reads back, so `load` of perfsh's own pprof shows the exact heatmap again.
///
/// Field 7001 of Profile, repeated, one message per function:
/// `{ 1: function id (pprof's, one-based), 2: CallStatistics (as in a session file) }`.
enum PprofCallStatistics {
  /// The Profile field number; far above profile.proto's own (1–15) so it never collides.
  static let field: UInt64 = 7001

  /// Appends the field for every traced function of `profile` (function ids are index + 1,
  /// as `PprofEncoder` writes them).
  static func write(_ profile: Profile, into out: inout ProtoWriter) {
    for (id, stats) in profile.callStatistics.sorted(by: { $0.key < $1.key }) {
      var entry = ProtoWriter()
      entry.uint64(1, UInt64(id.index + 1))
      entry.message(2, SessionArchiveWriter.callStatistics(stats))
      out.message(Int(field), entry)
    }
  }

  /// Reads one entry into `profile.callStatistics`; a function id that does not exist is an error.
  static func read(_ reader: ProtoReader, functionIDs: PprofIDMap, into profile: inout Profile) throws(FormatError) {
    var r = reader
    var id: UInt64 = 0
    var stats: CallStatistics?
    while !r.isAtEnd {
      let (f, wire) = try r.readTag()
      switch f {
      case 1: id = try r.uint64(f, wire, in: "perfsh call statistics")
      case 2:
        var sub = try r.message(f, wire, in: "perfsh call statistics")
        stats = try SessionArchiveReader.callStatistics(&sub)
      default: try r.skip(wire)
      }
    }
    guard let stats, let index = functionIDs.index(of: id) else {
      throw .invalidPprof(reason: "perfsh call statistics (field \(field)) name function \(id), which does not exist")
    }
    profile.callStatistics[FunctionID(Int(index))] = stats
  }
}

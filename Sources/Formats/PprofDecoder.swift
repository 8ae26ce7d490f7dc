import ProfileModel

/// Decodes pprof's profile.proto (gzipped or not) into a `Profile`.
///
/// It enforces what Go's `profile` package enforces (string_table[0] is "", ids are nonzero
/// and unique, references resolve, each sample has one value per sample type, one
/// time_nanos) and keeps everything needed to write the profile back without loss. A sample
/// deeper than `StackDepthLimit.maxFrames` keeps its leaf-most frames under a
/// `[truncated N frames]` marker.
/// Samples are checked in one pass, then their stacks are interned in sorted order so shared
/// prefixes cost one tree lookup, not one per sample.
public enum PprofDecoder {
  /// Most frames all samples together may have (the decoder holds them all at once).
  public static let maxTotalFrames = 1 << 28
  /// Most sample types (value columns) a profile may have.
  public static let maxSampleTypes = 1 << 12
  /// Default for the memory a decode may need (4 GiB), as estimated while scanning.
  ///
  /// A pprof of N bytes can legitimately need tens of times N in memory (a 4-byte sample costs a
  /// hundred bytes or more once decoded), so the inflated-size cap alone does not protect the
  /// machine: a gzip bomb of valid-looking samples would take many gigabytes and minutes. The scan
  /// adds up what each field will cost and stops with `needsTooMuchMemory` as soon as the sum passes
  /// the budget, before the tables, samples or stack tree are built.
  public static let defaultMemoryBudget = 4 << 30

  /// Decodes `bytes`, gunzipping first when they start with the gzip magic `1f 8b`.
  public static func decode(
    _ bytes: [UInt8], limit: Int = Gzip.defaultLimit, memoryBudget: Int = defaultMemoryBudget
  ) throws(FormatError) -> Profile {
    guard Gzip.isGzip(bytes) else {
      return try withRawBytes(bytes) { (raw) throws(FormatError) in try decodeProto(raw, memoryBudget: memoryBudget) }
    }
    var plain = try Gzip.decompress(bytes, limit: limit)
    return try decode(releasing: &plain, memoryBudget: memoryBudget)
  }

  /// Decodes uncompressed profile.proto bytes.
  public static func decodeProto(
    _ buffer: UnsafeRawBufferPointer, memoryBudget: Int = defaultMemoryBudget
  ) throws(FormatError) -> Profile {
    try decodeProto(buffer, memoryBudget: memoryBudget, narrowFrameLimit: Int32(UInt16.max))
  }

  /// `narrowFrameLimit`: the largest location index the sample decoder keeps in two bytes
  /// (smaller in tests, to make it switch to four bytes part way).
  static func decodeProto(
    _ buffer: UnsafeRawBufferPointer, memoryBudget: Int = defaultMemoryBudget, narrowFrameLimit: Int32
  ) throws(FormatError) -> Profile {
    guard !buffer.isEmpty else { throw .empty }
    var top = try TopLevel.scan(buffer, memoryBudget: memoryBudget)
    var (profile, samples) = try top.resolve(buffer, narrowFrameLimit: narrowFrameLimit)
    samples.finish(into: &profile)
    profile.compact()
    return profile
  }

  /// Decodes uncompressed `plain` and empties it as soon as every sample has been read, so the
  /// wire bytes and the stack tree being built are not both held at the peak.
  static func decode(releasing plain: inout [UInt8], memoryBudget: Int = defaultMemoryBudget) throws(FormatError)
    -> Profile
  {
    var (profile, samples) = try withRawBytes(plain) { (raw) throws(FormatError) in
      guard !raw.isEmpty else { throw FormatError.empty }
      var top = try TopLevel.scan(raw, memoryBudget: memoryBudget)
      return try top.resolve(raw)
    }
    plain = []
    samples.finish(into: &profile)
    profile.compact()
    return profile
  }
}

/// The top-level fields of a Profile message after one scan; samples are kept as byte ranges
/// until locations (which may come later in the stream) are known.
private struct TopLevel {
  var sampleTypes: [RawValueType] = []
  var sampleRanges: [Range<Int>] = []
  var mappings: [RawMapping] = []
  var locations: [RawLocation] = []
  var functions: [RawFunction] = []
  /// The string table as UTF-8 back to back (invalid UTF-8 already repaired) and each entry's end.
  var stringBytes: [UInt8] = []
  var stringEnds: [Int] = []
  var dropFrames: Int64 = 0
  var keepFrames: Int64 = 0
  var timeNanos: Int64?
  var durationNanos: Int64 = 0
  var periodType: RawValueType?
  var period: Int64 = 0
  var comments: [Int64] = []
  var defaultSampleType: Int64 = 0
  var docURL: Int64 = 0
  var callStatistics: [Range<Int>] = []

  static func scan(_ buffer: UnsafeRawBufferPointer, memoryBudget: Int) throws(FormatError) -> TopLevel {
    var t = TopLevel()
    var r = ProtoReader(buffer, range: 0..<buffer.count)
    let name = "Profile"
    var cost = PprofMemoryEstimate(budget: memoryBudget)
    while !r.isAtEnd {
      let at = r.position
      let (field, wire) = try r.readTag()
      switch field {
      case 1, 2, 3, 4, 5, 6, 11:
        guard wire == .lengthDelimited else { throw r.mismatch(field, wire, in: name) }
        let range = try r.readLengthDelimited()
        try cost.add(field: field, bytes: range.count, sampleTypes: t.sampleTypes.count)
        let sub = r.reader(for: range)
        switch field {
        case 1:
          guard t.sampleTypes.count < PprofDecoder.maxSampleTypes else {
            throw .corruptPprof(offset: at, reason: "more than \(PprofDecoder.maxSampleTypes) sample types")
          }
          t.sampleTypes.append(try RawValueType.decode(sub))
        case 2: t.sampleRanges.append(range)
        case 3: t.mappings.append(try RawMapping.decode(sub))
        case 4: t.locations.append(try RawLocation.decode(sub))
        case 5: t.functions.append(try RawFunction.decode(sub))
        case 6:
          if t.stringEnds.isEmpty && !range.isEmpty {
            throw .invalidPprof(reason: "string_table[0] must be the empty string")
          }
          t.appendString(UnsafeRawBufferPointer(rebasing: buffer[range]))
        default: t.periodType = try RawValueType.decode(sub)
        }
      case 7: t.dropFrames = try r.int64(field, wire, in: name)
      case 8: t.keepFrames = try r.int64(field, wire, in: name)
      case 9:
        let v = try r.int64(field, wire, in: name)
        // Go's reader rejects a second time_nanos: it means two profiles were concatenated.
        guard t.timeNanos == nil else {
          throw .invalidPprof(reason: "concatenated profiles detected (time_nanos appears twice)")
        }
        t.timeNanos = v
      case 10: t.durationNanos = try r.int64(field, wire, in: name)
      case 12: t.period = try r.int64(field, wire, in: name)
      case 13:
        try r.forEachVarint(field, wire, in: name) { (v) throws(FormatError) in
          try cost.add(field: field, bytes: 1, sampleTypes: 0)
          t.comments.append(Int64(bitPattern: v))
        }
      case 14: t.defaultSampleType = try r.int64(field, wire, in: name)
      case 15: t.docURL = try r.int64(field, wire, in: name)
      case PprofCallStatistics.field:
        guard wire == .lengthDelimited else { throw r.mismatch(field, wire, in: name) }
        let range = try r.readLengthDelimited()
        try cost.add(field: field, bytes: range.count, sampleTypes: 0)
        t.callStatistics.append(range)
      default: try r.skip(wire)
      }
    }
    if t.stringEnds.isEmpty { t.stringEnds = [0] }
    return t
  }

  /// Appends a string_table entry: its bytes as they are when ASCII (nearly always), else as
  /// `String(decoding:)` repairs them, so the table reads exactly what a `String` would hold.
  mutating func appendString(_ raw: UnsafeRawBufferPointer) {
    var ascii = true
    for byte in raw where byte >= 0x80 {
      ascii = false
      break
    }
    if ascii {
      stringBytes.append(contentsOf: raw)
    } else {
      stringBytes.append(contentsOf: String(decoding: raw, as: UTF8.self).utf8)
    }
    stringEnds.append(stringBytes.count)
  }

  var stringCount: Int { stringEnds.count }

  /// A string index checked against the string table.
  func stringID(_ index: Int64, _ what: @autoclosure () -> String) throws(FormatError) -> StringID {
    guard index >= 0, index < Int64(stringCount) else {
      throw .invalidPprof(
        reason: "\(what()) refers to string \(index), but the string table has \(stringCount) entries")
    }
    return StringID(Int(index))
  }

  func string(_ index: Int64, _ what: @autoclosure () -> String) throws(FormatError) -> String {
    let i = try stringID(index, what()).index
    let start = i == 0 ? 0 : stringEnds[i - 1]
    return stringBytes.withUnsafeBufferPointer {
      String(decoding: UnsafeBufferPointer(rebasing: $0[start..<stringEnds[i]]), as: UTF8.self)
    }
  }

  func valueType(_ v: RawValueType, _ what: String) throws(FormatError) -> ValueType {
    ValueType(type: try string(v.type, "\(what) type"), unit: try string(v.unit, "\(what) unit"))
  }

  /// The profile with every table filled and every sample checked; the samples' stacks are
  /// interned by the returned decoder's `finish`.
  mutating func resolve(
    _ buffer: UnsafeRawBufferPointer, narrowFrameLimit: Int32 = Int32(UInt16.max)
  ) throws(FormatError) -> (Profile, PprofSampleDecoder) {
    if !sampleRanges.isEmpty && sampleTypes.isEmpty {
      throw .invalidPprof(reason: "missing sample type information (\(sampleRanges.count) samples but no sample types)")
    }
    var types: [ValueType] = []
    types.reserveCapacity(sampleTypes.count)
    for (i, t) in sampleTypes.enumerated() { types.append(try valueType(t, "sample type \(i)")) }

    var p = Profile(sampleTypes: types)
    // Hashing every string into the table's index is independent of the tables and samples
    // (which only check string indices against the count): it runs on the other core until
    // the sample decoder needs the table (a truncation marker, or `finish`).
    let (utf8, ends) = (stringBytes, stringEnds)
    let table = BackgroundTask { StringTable(utf8: utf8, ends: ends) }
    if let pt = periodType { p.periodType = try valueType(pt, "period type") }
    p.period = period
    p.timeNanos = timeNanos ?? 0
    p.durationNanos = durationNanos
    p.dropFrames = try string(dropFrames, "drop_frames")
    p.keepFrames = try string(keepFrames, "keep_frames")
    p.docURL = try string(docURL, "doc_url")
    for c in comments { p.comments.append(try string(c, "comment")) }
    if defaultSampleType != 0 {
      let name = try string(defaultSampleType, "default_sample_type")
      p.defaultSampleType = types.firstIndex { $0.type == name }
    }

    let mappingIDs = try PprofIDMap(mappings.map(\.id), what: "mapping")
    p.mappings.reserveCapacity(mappings.count)
    for m in mappings {
      p.mappings.append(
        Mapping(
          start: m.start, limit: m.limit, fileOffset: m.offset,
          filename: try stringID(m.filename, "mapping \(m.id) file name"),
          buildID: try stringID(m.buildID, "mapping \(m.id) build id"),
          hasFunctions: m.hasFunctions, hasFilenames: m.hasFilenames,
          hasLineNumbers: m.hasLineNumbers, hasInlineFrames: m.hasInlineFrames))
    }
    mappings = []

    let functionIDs = try PprofIDMap(functions.map(\.id), what: "function")
    p.functions.reserveCapacity(functions.count)
    for f in functions {
      p.functions.append(
        Function(
          name: try stringID(f.name, "function \(f.id) name"),
          systemName: try stringID(f.systemName, "function \(f.id) system name"),
          filename: try stringID(f.filename, "function \(f.id) file name"),
          startLine: f.startLine))
    }
    functions = []
    for range in callStatistics {
      try PprofCallStatistics.read(ProtoReader(buffer, range: range), functionIDs: functionIDs, into: &p)
    }

    let locationIDs = try PprofIDMap(locations.map(\.id), what: "location")
    p.locations.reserveCapacity(locations.count)
    for l in locations {
      var mapping: MappingID?
      if l.mappingID != 0 {
        guard let m = mappingIDs.index(of: l.mappingID) else {
          throw .invalidPprof(reason: "location \(l.id) refers to mapping \(l.mappingID), which does not exist")
        }
        mapping = MappingID(m)
      }
      var lines: [Line] = []
      lines.reserveCapacity(l.lines.count)
      for line in l.lines {
        guard line.functionID != 0 else { throw .invalidPprof(reason: "location \(l.id) has a line with no function") }
        guard let f = functionIDs.index(of: line.functionID) else {
          throw .invalidPprof(reason: "location \(l.id) refers to function \(line.functionID), which does not exist")
        }
        lines.append(Line(function: FunctionID(f), line: line.line, column: line.column))
      }
      p.locations.append(Location(address: l.address, mapping: mapping, lines: lines, isFolded: l.isFolded))
    }
    locations = []

    var samples = PprofSampleDecoder(
      width: types.count, locationIDs: locationIDs, stringCount: stringCount, sampleCount: sampleRanges.count,
      sampleBytes: sampleRanges.reduce(0) { $0 + $1.count }, pendingStrings: table, narrowLimit: narrowFrameLimit)
    for (i, range) in sampleRanges.enumerated() {
      try samples.decode(ProtoReader(buffer, range: range), index: i, into: &p)
    }
    // The model's value rule (ValueLimit), checked before the stack tree is built.
    if let column = ValueLimit.firstColumnPastLimit(samples.values, width: types.count) {
      throw .valuesPastLimit(sampleType: types[column])
    }
    return (p, samples)
  }
}

import ProfileModel

/// Decodes the payload of a session archive (see `SessionArchiveWriter`), checking every
/// count and reference so a corrupted file is an error, never a crash or a half session.
enum SessionArchiveReader {
  static func sessions(_ plain: [UInt8]) throws(FormatError) -> [ArchivedSession] {
    do {
      return try withRawBytes(plain) { (raw) throws(FormatError) -> [ArchivedSession] in
        var r = ProtoReader(raw, range: 0..<raw.count)
        var result: [ArchivedSession] = []
        while !r.isAtEnd {
          let (field, wire) = try r.readTag()
          if field == 1 {
            var sub = try r.message(field, wire, in: "archive")
            result.append(try session(&sub))
          } else {
            try r.skip(wire)
          }
        }
        guard !result.isEmpty else { throw FormatError.invalidArchive(reason: "holds no sessions") }
        return result
      }
    } catch {
      // The shared protobuf reader names pprof; say what the file really is.
      if case .corruptPprof(let offset, let reason) = error { throw .corruptArchive(offset: offset, reason: reason) }
      throw error
    }
  }

  static func session(_ r: inout ProtoReader) throws(FormatError) -> ArchivedSession {
    var name = ""
    var kind: UInt64 = 0
    var command: [String] = []
    var path = ""
    var format = ""
    var focus: [String] = []
    var ignore: [String] = []
    var hide: [String] = []
    var profile: Profile?
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: name = try r.text(field, wire, in: "session")
      case 2: command.append(try r.text(field, wire, in: "session"))
      case 3: kind = try r.uint64(field, wire, in: "session")
      case 4: path = try r.text(field, wire, in: "session")
      case 5: format = try r.text(field, wire, in: "session")
      case 6: focus.append(try r.text(field, wire, in: "session"))
      case 7: ignore.append(try r.text(field, wire, in: "session"))
      case 8: hide.append(try r.text(field, wire, in: "session"))
      case 9:
        var sub = try r.message(field, wire, in: "session")
        profile = try Self.profile(&sub)
      default: try r.skip(wire)
      }
    }
    guard let profile else { throw .invalidArchive(reason: "session '\(name)' has no profile") }
    let source: ArchivedSession.Source
    switch kind {
    case 1: source = .file(path: path, format: format)
    case 2: source = .run(command: command)
    default: throw .invalidArchive(reason: "session '\(name)' has unknown source kind \(kind)")
    }
    return ArchivedSession(name: name, source: source, focus: focus, ignore: ignore, hide: hide, profile: profile)
  }

  static func profile(_ r: inout ProtoReader) throws(FormatError) -> Profile {
    var strings: [String] = []
    var sampleTypes: [ValueType] = []
    var p = Profile(sampleTypes: [])
    var functionsMessage: ProtoReader?
    var locationsMessage: ProtoReader?
    var stacksMessage: ProtoReader?
    var samplesMessage: ProtoReader?
    var labelSetMessages: [ProtoReader] = []
    var statsMessages: [ProtoReader] = []
    var repeatMessages: [ProtoReader] = []
    var runMessage: ProtoReader?
    var callEventsMessage: ProtoReader?
    var timelineMessage: ProtoReader?
    var mappingMessages: [ProtoReader] = []
    var defaultType: UInt64 = 0
    var periodType: ValueType?
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      let m = "profile"
      switch field {
      case 1: strings.append(try r.text(field, wire, in: m))
      case 2:
        var sub = try r.message(field, wire, in: m)
        sampleTypes.append(try valueType(&sub))
      case 3: defaultType = try r.uint64(field, wire, in: m)
      case 4:
        var sub = try r.message(field, wire, in: m)
        periodType = try valueType(&sub)
      case 5: p.period = try r.int64(field, wire, in: m)
      case 6: p.timeNanos = try r.int64(field, wire, in: m)
      case 7: p.durationNanos = try r.int64(field, wire, in: m)
      case 8: p.comments.append(try r.text(field, wire, in: m))
      case 9: p.dropFrames = try r.text(field, wire, in: m)
      case 10: p.keepFrames = try r.text(field, wire, in: m)
      case 11: p.docURL = try r.text(field, wire, in: m)
      case 12: mappingMessages.append(try r.message(field, wire, in: m))
      case 13: functionsMessage = try r.message(field, wire, in: m)
      case 14: locationsMessage = try r.message(field, wire, in: m)
      case 15: stacksMessage = try r.message(field, wire, in: m)
      case 16: labelSetMessages.append(try r.message(field, wire, in: m))
      case 17: samplesMessage = try r.message(field, wire, in: m)
      case 18: runMessage = try r.message(field, wire, in: m)
      case 19: statsMessages.append(try r.message(field, wire, in: m))
      case 20: repeatMessages.append(try r.message(field, wire, in: m))
      case UInt64(SessionArchiveCallEvents.field): callEventsMessage = try r.message(field, wire, in: m)
      case UInt64(SessionArchiveTimeline.field): timelineMessage = try r.message(field, wire, in: m)
      default: try r.skip(wire)
      }
    }
    guard strings.first == "" else {
      throw .invalidArchive(reason: "string table does not start with the empty string")
    }
    let keptMeta = p
    p = Profile(sampleTypes: sampleTypes)
    p.period = keptMeta.period
    p.timeNanos = keptMeta.timeNanos
    p.durationNanos = keptMeta.durationNanos
    p.comments = keptMeta.comments
    p.dropFrames = keptMeta.dropFrames
    p.keepFrames = keptMeta.keepFrames
    p.docURL = keptMeta.docURL
    p.periodType = periodType
    p.strings = StringTable(strings)
    if defaultType > 0 {
      guard defaultType <= UInt64(sampleTypes.count) else {
        throw .invalidArchive(reason: "default sample type \(defaultType - 1) does not exist")
      }
      p.defaultSampleType = Int(defaultType - 1)
    }
    for var m in mappingMessages { p.mappings.append(try mapping(&m)) }
    if var m = functionsMessage { p.functions = try functions(&m) }
    if var m = locationsMessage { p.locations = try locations(&m) }
    if var m = stacksMessage { try stacks(&m, into: &p.stacks) }
    for (i, var m) in labelSetMessages.enumerated() {
      let set = try labelSet(&m)
      guard !set.isEmpty, p.labelSets.intern(set).index == i + 1 else {
        throw .invalidArchive(reason: "label set \(i + 1) is empty or repeats an earlier one")
      }
    }
    if var m = samplesMessage { try samples(&m, into: &p) }
    if var m = runMessage { p.run = try run(&m) }
    for var m in statsMessages {
      var id: Int64?
      var stats: CallStatistics?
      while !m.isAtEnd {
        let (field, wire) = try m.readTag()
        switch field {
        case 1: id = try m.int64(field, wire, in: "call statistics")
        case 2:
          var sub = try m.message(field, wire, in: "call statistics")
          stats = try callStatistics(&sub)
        default: try m.skip(wire)
        }
      }
      guard let id, let stats, id >= 0, id < Int64(p.functions.count) else {
        throw .invalidArchive(reason: "call statistics for a function that does not exist")
      }
      p.callStatistics[FunctionID(Int(id))] = stats
    }
    for var m in repeatMessages { p.repeats.append(try runRepeat(&m, of: p)) }
    if var m = callEventsMessage { p.callEvents = try SessionArchiveCallEvents.read(&m, functions: p.functions.count) }
    if var m = timelineMessage { p.timeline = try SessionArchiveTimeline.read(&m, locations: p.locations.count) }
    do {
      try p.validate()
    } catch {
      throw .invalidArchive(reason: error.description)
    }
    p.compact()
    return p
  }

  static func valueType(_ r: inout ProtoReader) throws(FormatError) -> ValueType {
    var t = ValueType(type: "", unit: "")
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: t.type = try r.text(field, wire, in: "value type")
      case 2: t.unit = try r.text(field, wire, in: "value type")
      default: try r.skip(wire)
      }
    }
    return t
  }

  static func mapping(_ r: inout ProtoReader) throws(FormatError) -> Mapping {
    var m = Mapping(start: 0, limit: 0, fileOffset: 0, filename: .empty)
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      let n = "mapping"
      switch field {
      case 1: m.start = try r.uint64(field, wire, in: n)
      case 2: m.limit = try r.uint64(field, wire, in: n)
      case 3: m.fileOffset = try r.uint64(field, wire, in: n)
      case 4: m.filename = StringID(try id32(try r.uint64(field, wire, in: n), "mapping file name"))
      case 5: m.buildID = StringID(try id32(try r.uint64(field, wire, in: n), "mapping build id"))
      case 6:
        let flags = try r.uint64(field, wire, in: n)
        m.hasFunctions = flags & 1 != 0
        m.hasFilenames = flags & 2 != 0
        m.hasLineNumbers = flags & 4 != 0
        m.hasInlineFrames = flags & 8 != 0
      default: try r.skip(wire)
      }
    }
    return m
  }

  static func functions(_ r: inout ProtoReader) throws(FormatError) -> [Function] {
    var columns: [[UInt64]] = [[], [], [], []]
    var count: UInt64 = 0
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1...4: columns[Int(field) - 1] = try r.packedValues(field, wire, in: "functions")
      case 5: count = try r.uint64(field, wire, in: "functions")
      default: try r.skip(wire)
      }
    }
    try sameLength(columns, count, "function")
    var result: [Function] = []
    result.reserveCapacity(Int(count))
    for i in 0..<Int(count) {
      result.append(
        Function(
          name: StringID(try id32(columns[0][i], "function name")),
          systemName: StringID(try id32(columns[1][i], "function system name")),
          filename: StringID(try id32(columns[2][i], "function file name")),
          startLine: Int64(bitPattern: columns[3][i])))
    }
    return result
  }

  static func locations(_ r: inout ProtoReader) throws(FormatError) -> LocationTable {
    var columns: [[UInt64]] = [[], [], [], []]
    var lineColumns: [[UInt64]] = [[], [], []]
    var count: UInt64 = 0
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1...4: columns[Int(field) - 1] = try r.packedValues(field, wire, in: "locations")
      case 5...7: lineColumns[Int(field) - 5] = try r.packedValues(field, wire, in: "locations")
      case 8: count = try r.uint64(field, wire, in: "locations")
      default: try r.skip(wire)
      }
    }
    try sameLength(columns, count, "location")
    var totalLines: UInt64 = 0
    for n in columns[2] {
      totalLines += min(n, 1 << 40)
      guard totalLines <= UInt64(Int32.max) else { throw .invalidArchive(reason: "location line counts overflow") }
    }
    try sameLength(lineColumns, totalLines, "location line")
    var result = LocationTable()
    result.reserveCapacity(Int(count))
    var next = 0
    for i in 0..<Int(count) {
      let n = Int(columns[2][i])
      var lines: [Line] = []
      lines.reserveCapacity(n)
      for j in next..<(next + n) {
        lines.append(
          Line(
            function: FunctionID(try id32(lineColumns[0][j], "line function")),
            line: Int64(bitPattern: lineColumns[1][j]), column: Int64(bitPattern: lineColumns[2][j])))
      }
      next += n
      let mapping = columns[1][i]
      result.append(
        Location(
          address: columns[0][i], mapping: mapping == 0 ? nil : MappingID(try id32(mapping - 1, "location mapping")),
          lines: lines, isFolded: columns[3][i] != 0))
    }
    return result
  }

  static func stacks(_ r: inout ProtoReader, into tree: inout StackTree) throws(FormatError) {
    var parents: [UInt64] = []
    var locations: [UInt64] = []
    var count: UInt64 = 0
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: parents = try r.packedValues(field, wire, in: "stacks")
      case 2: locations = try r.packedValues(field, wire, in: "stacks")
      case 3: count = try r.uint64(field, wire, in: "stacks")
      default: try r.skip(wire)
      }
    }
    try sameLength([parents, locations], count, "stack node")
    var parentIDs = [StackID](repeating: .root, count: Int(count) + 1)
    var locationIDs = [LocationID](repeating: LocationID(Int32(-1)), count: Int(count) + 1)
    for i in 0..<Int(count) {
      let node = i + 1
      let distance = parents[i]
      guard distance >= 1, distance <= UInt64(node) else {
        throw .invalidArchive(reason: "stack node \(node) has a parent that is not an earlier node")
      }
      parentIDs[node] = StackID(node - Int(distance))
      locationIDs[node] = LocationID(try id32(locations[i], "stack location"))
    }
    guard let built = StackTree(parents: parentIDs, locations: locationIDs) else {
      throw .invalidArchive(reason: "stack tree is malformed")
    }
    tree = built
  }

  static func labelSet(_ r: inout ProtoReader) throws(FormatError) -> [Label] {
    var columns: [[UInt64]] = [[], [], [], []]
    var count: UInt64 = 0
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1...4: columns[Int(field) - 1] = try r.packedValues(field, wire, in: "label set")
      case 5: count = try r.uint64(field, wire, in: "label set")
      default: try r.skip(wire)
      }
    }
    try sameLength(columns, count, "label")
    var result: [Label] = []
    for i in 0..<Int(count) {
      result.append(
        Label(
          key: StringID(try id32(columns[0][i], "label key")), string: StringID(try id32(columns[1][i], "label value")),
          number: Int64(bitPattern: columns[2][i]), numberUnit: StringID(try id32(columns[3][i], "label unit"))))
    }
    return result
  }

  static func samples(_ r: inout ProtoReader, into p: inout Profile) throws(FormatError) {
    var count: UInt64 = 0
    var stacks: [UInt64] = []
    var labelSets: [UInt64] = []
    var columns: [[UInt64]] = []
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: count = try r.uint64(field, wire, in: "samples")
      case 2: stacks = try r.packedValues(field, wire, in: "samples")
      case 3: labelSets = try r.packedValues(field, wire, in: "samples")
      case 4:
        var sub = try r.message(field, wire, in: "samples")
        var column: [UInt64] = []
        while !sub.isAtEnd {
          let (f, w) = try sub.readTag()
          if f == 1 { column = try sub.packedValues(f, w, in: "sample column") } else { try sub.skip(w) }
        }
        columns.append(column)
      default: try r.skip(wire)
      }
    }
    let width = p.sampleTypes.count
    guard columns.count == width else {
      throw .invalidArchive(reason: "samples have \(columns.count) value columns for \(width) sample types")
    }
    try sameLength([stacks] + columns, count, "sample")
    if !labelSets.isEmpty { try sameLength([labelSets], count, "sample label set") }
    let n = Int(count)
    p.samples.reserveCapacity(n)
    var values = [Int64](repeating: 0, count: width)
    var stack: Int64 = 0
    for i in 0..<n {
      let z = stacks[i]
      stack &+= Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
      for c in 0..<width { values[c] = Int64(bitPattern: columns[c][i]) }
      let labels = labelSets.isEmpty ? LabelSetID.none : LabelSetID(try id32(labelSets[i], "sample label set"))
      guard let id = Int32(exactly: stack), id >= 0 else {
        throw .invalidArchive(reason: "sample \(i) stack id \(stack) out of range")
      }
      p.samples.append(stack: StackID(id), values: values, labels: labels)
    }
  }

  static func run(_ r: inout ProtoReader) throws(FormatError) -> RunInfo {
    var info = RunInfo()
    var command: [String] = []
    var hasCommand = false
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      let m = "run"
      switch field {
      case 1: command.append(try r.text(field, wire, in: m))
      case 2: hasCommand = try r.uint64(field, wire, in: m) != 0
      case 3:
        var sub = try r.message(field, wire, in: m)
        info.termination = try termination(&sub)
      case 4: info.elapsedNanos = try r.int64(field, wire, in: m)
      case 5: info.cpuNanos = try r.int64(field, wire, in: m)
      case 6: info.lostRecords = try r.int64(field, wire, in: m)
      case 15: info.unparsedRecords = try r.int64(field, wire, in: m)
      case 7: info.interrupted = try r.uint64(field, wire, in: m) != 0
      case 8: info.notes.append(try r.text(field, wire, in: m))
      case 9:
        var sub = try r.message(field, wire, in: m)
        info.allocations = try allocations(&sub)
      default: try r.skip(wire)
      }
    }
    if hasCommand { info.command = command }
    return info
  }

  static func termination(_ r: inout ProtoReader) throws(FormatError) -> RunInfo.Termination {
    var kind: UInt64 = 0
    var code: Int64 = 0
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: kind = try r.uint64(field, wire, in: "termination")
      case 2: code = try r.int64(field, wire, in: "termination")
      default: try r.skip(wire)
      }
    }
    guard let c = Int32(exactly: code) else { throw .invalidArchive(reason: "exit status \(code) out of range") }
    switch kind {
    case 1: return .exited(c)
    case 2: return .signaled(c)
    default: throw .invalidArchive(reason: "unknown termination kind \(kind)")
    }
  }

  static func allocations(_ r: inout ProtoReader) throws(FormatError) -> AllocationSummary {
    var f = [Int64](repeating: 0, count: 11)
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      if (1...10).contains(field) {
        f[Int(field)] = try r.int64(field, wire, in: "allocations")
      } else {
        try r.skip(wire)
      }
    }
    guard let processes = Int(exactly: f[2]), let sampled = Int(exactly: f[3]) else {
      throw .invalidArchive(reason: "allocation counts out of range")
    }
    return AllocationSummary(
      rate: f[1], processes: processes, sampledAllocations: sampled, allocatedBytes: f[4], allocatedObjects: f[5],
      inUseBytes: f[6], peakInUseBytes: f[7], peakNanos: f[8], lostRecords: f[9], untrackedBlocks: f[10])
  }

  static func callStatistics(_ r: inout ProtoReader) throws(FormatError) -> CallStatistics {
    var s = CallStatistics(calls: 0, selfNanos: 0, totalNanos: 0, maxSelfNanos: 0, p95SelfNanos: nil)
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      let m = "call statistics"
      switch field {
      case 1: s.calls = try r.int64(field, wire, in: m)
      case 2: s.selfNanos = try r.int64(field, wire, in: m)
      case 3: s.totalNanos = try r.int64(field, wire, in: m)
      case 4: s.maxSelfNanos = try r.int64(field, wire, in: m)
      case 5: s.p95SelfNanos = try r.int64(field, wire, in: m)
      case 6: s.unmatchedEntries = try r.int64(field, wire, in: m)
      case 7: s.hasDurations = try r.uint64(field, wire, in: m) == 0
      case 8: s.clock = try r.uint64(field, wire, in: m) == 0 ? .cpu : .wall
      case 9, 10, 11:
        var sub = try r.message(field, wire, in: m)
        let t = try callTimes(&sub)
        if field == 9 { s.wall = t } else if field == 10 { s.rawCPU = t } else { s.rawWall = t }
      case 12: s.probeCostNanos = try r.int64(field, wire, in: m)
      case 13: s.perGoroutine = try r.uint64(field, wire, in: m) != 0
      default: try r.skip(wire)
      }
    }
    return s
  }

  static func callTimes(_ r: inout ProtoReader) throws(FormatError) -> CallTimes {
    var t = CallTimes(selfNanos: 0, totalNanos: 0, maxSelfNanos: 0, p95SelfNanos: nil)
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: t.selfNanos = try r.int64(field, wire, in: "call times")
      case 2: t.totalNanos = try r.int64(field, wire, in: "call times")
      case 3: t.maxSelfNanos = try r.int64(field, wire, in: "call times")
      case 4: t.p95SelfNanos = try r.int64(field, wire, in: "call times")
      default: try r.skip(wire)
      }
    }
    return t
  }

  /// One repeat of `p`; call statistics name their function by id, or (files written before
  /// ids) by name, which is resolved to the first function of that name.
  static func runRepeat(_ r: inout ProtoReader, of p: Profile) throws(FormatError) -> RunRepeat {
    var rep = RunRepeat()
    var functionByName: [String: FunctionID]?
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      let m = "repeat"
      switch field {
      case 1: rep.elapsedNanos = try r.int64(field, wire, in: m)
      case 2: rep.cpuNanos = try r.int64(field, wire, in: m)
      case 3, 4, 5:
        var sub = try r.message(field, wire, in: m)
        var name = ""
        var value: Int64 = 0
        var stats: CallStatistics?
        var function: Int64?
        while !sub.isAtEnd {
          let (f, w) = try sub.readTag()
          switch f {
          case 1: name = try sub.text(f, w, in: m)
          case 3 where field == 5: function = try sub.int64(f, w, in: m)
          case 2:
            if field == 5 {
              var s = try sub.message(f, w, in: m)
              stats = try callStatistics(&s)
            } else {
              value = try sub.int64(f, w, in: m)
            }
          default: try sub.skip(w)
          }
        }
        if field == 3 { rep.selfNanos[name] = value }
        if field == 4 { rep.cumNanos[name] = value }
        if field == 5 {
          guard let stats else { throw .invalidArchive(reason: "repeat call statistics for '\(name)' are missing") }
          let id: FunctionID
          if let function {
            guard let raw = Int32(exactly: function) else {
              throw .invalidArchive(reason: "repeat function id \(function) out of range")
            }
            id = FunctionID(raw)
          } else {
            if functionByName == nil {
              var names: [String: FunctionID] = [:]
              for i in p.functions.indices.reversed() { names[p.name(of: FunctionID(i))] = FunctionID(i) }
              functionByName = names
            }
            guard let known = functionByName?[name] else {
              throw .invalidArchive(reason: "repeat call statistics for '\(name)', which is no function of the session")
            }
            id = known
          }
          rep.callStatistics[id] = stats
        }
      case 6:
        var sub = try r.message(field, wire, in: m)
        rep.termination = try termination(&sub)
      default: try r.skip(wire)
      }
    }
    return rep
  }

  /// A table id that must fit Int32 (range checks against the tables follow in `validate`).
  static func id32(_ value: UInt64, _ what: String) throws(FormatError) -> Int32 {
    guard let v = Int32(exactly: value) else { throw .invalidArchive(reason: "\(what) id \(value) out of range") }
    return v
  }

  static func sameLength(_ columns: [[UInt64]], _ count: UInt64, _ what: String) throws(FormatError) {
    for c in columns where UInt64(c.count) != count {
      throw .invalidArchive(reason: "\(what) table has \(c.count) entries in one column, \(count) expected")
    }
  }
}

extension ProtoReader {
  /// A length-delimited string field.
  mutating func text(_ field: UInt64, _ wire: WireType, in message: String) throws(FormatError) -> String {
    guard wire == .lengthDelimited else { throw mismatch(field, wire, in: message) }
    return string(try readLengthDelimited())
  }

  /// A nested message field, as a reader over its bytes.
  mutating func message(_ field: UInt64, _ wire: WireType, in message: String) throws(FormatError) -> ProtoReader {
    guard wire == .lengthDelimited else { throw mismatch(field, wire, in: message) }
    return reader(for: try readLengthDelimited())
  }

  /// A packed (or single) repeated varint field.
  mutating func packedValues(_ field: UInt64, _ wire: WireType, in message: String) throws(FormatError) -> [UInt64] {
    var values: [UInt64] = []
    try forEachVarint(field, wire, in: message) { values.append($0) }
    return values
  }
}

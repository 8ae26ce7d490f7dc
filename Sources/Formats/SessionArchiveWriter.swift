import ProfileModel

/// Encodes sessions as the protobuf-style payload of a session archive (field numbers in
/// docs/session-format.md). Tables are written as packed columns, which gzip compresses well.
enum SessionArchiveWriter {
  /// The uncompressed payload: one `session` message (field 1) per session.
  static func payload(_ sessions: [ArchivedSession]) -> [UInt8] {
    var w = ProtoWriter(capacity: 1 << 16)
    for s in sessions { w.message(1, session(s)) }
    return w.bytes
  }

  static func session(_ s: ArchivedSession) -> ProtoWriter {
    var w = ProtoWriter()
    w.string(1, s.name)
    switch s.source {
    case .run(let command):
      w.uint64(3, 2)
      for word in command { w.string(2, word) }
    case .file(let path, let format):
      w.uint64(3, 1)
      w.string(4, path)
      w.string(5, format)
    }
    for f in s.focus { w.string(6, f) }
    for f in s.ignore { w.string(7, f) }
    for f in s.hide { w.string(8, f) }
    w.message(9, profile(s.profile))
    return w
  }

  static func profile(_ p: Profile) -> ProtoWriter {
    var w = ProtoWriter(capacity: p.samples.count * 8 + 4096)
    p.strings.forEachUTF8 { w.string(1, utf8: $0) }
    for t in p.sampleTypes { w.message(2, valueType(t)) }
    if let d = p.defaultSampleType { w.uint64(3, UInt64(UInt32(truncatingIfNeeded: d)) + 1) }
    if let t = p.periodType { w.message(4, valueType(t)) }
    w.int64(5, p.period)
    w.int64(6, p.timeNanos)
    w.int64(7, p.durationNanos)
    for c in p.comments { w.string(8, c) }
    if !p.dropFrames.isEmpty { w.string(9, p.dropFrames) }
    if !p.keepFrames.isEmpty { w.string(10, p.keepFrames) }
    if !p.docURL.isEmpty { w.string(11, p.docURL) }
    for m in p.mappings { w.message(12, mapping(m)) }
    w.message(13, functions(p.functions))
    w.message(14, locations(p.locations))
    w.message(15, stacks(p.stacks))
    for set in p.labelSets.sets.dropFirst() { w.message(16, labelSet(set)) }
    w.message(17, samples(p.samples))
    w.message(18, run(p.run))
    for (id, stats) in p.callStatistics.sorted(by: { $0.key < $1.key }) {
      var e = ProtoWriter()
      e.present(1, Int64(id.raw))
      e.message(2, callStatistics(stats))
      w.message(19, e)
    }
    for r in p.repeats { w.message(20, runRepeat(r, of: p)) }
    if let log = p.callEvents { w.message(SessionArchiveCallEvents.field, SessionArchiveCallEvents.write(log)) }
    if let timeline = p.timeline { w.message(SessionArchiveTimeline.field, SessionArchiveTimeline.write(timeline)) }
    return w
  }

  static func valueType(_ t: ValueType) -> ProtoWriter {
    var w = ProtoWriter()
    w.string(1, t.type)
    w.string(2, t.unit)
    return w
  }

  static func mapping(_ m: Mapping) -> ProtoWriter {
    var w = ProtoWriter()
    w.uint64(1, m.start)
    w.uint64(2, m.limit)
    w.uint64(3, m.fileOffset)
    w.int64(4, Int64(m.filename.raw))
    w.int64(5, Int64(m.buildID.raw))
    var flags: UInt64 = 0
    if m.hasFunctions { flags |= 1 }
    if m.hasFilenames { flags |= 2 }
    if m.hasLineNumbers { flags |= 4 }
    if m.hasInlineFrames { flags |= 8 }
    w.uint64(6, flags)
    return w
  }

  static func functions(_ fs: [Function]) -> ProtoWriter {
    var w = ProtoWriter()
    w.packed(1, fs.map { UInt64(UInt32(bitPattern: $0.name.raw)) })
    w.packed(2, fs.map { UInt64(UInt32(bitPattern: $0.systemName.raw)) })
    w.packed(3, fs.map { UInt64(UInt32(bitPattern: $0.filename.raw)) })
    w.packed(4, fs.map { $0.startLine }[...])
    w.uint64(5, UInt64(fs.count))
    return w
  }

  static func locations(_ ls: LocationTable) -> ProtoWriter {
    var w = ProtoWriter()
    w.uint64(8, UInt64(ls.count))
    w.packed(1, ls.map { $0.address })
    w.packed(2, ls.map { $0.mapping.map { UInt64(UInt32(bitPattern: $0.raw)) + 1 } ?? 0 })
    w.packed(3, ls.map { UInt64($0.lines.count) })
    w.packed(4, ls.map { $0.isFolded ? UInt64(1) : 0 })
    let lines = ls.flatMap(\.lines)
    w.packed(5, lines.map { UInt64(UInt32(bitPattern: $0.function.raw)) })
    w.packed(6, lines.map { $0.line }[...])
    w.packed(7, lines.map { $0.column }[...])
    return w
  }

  /// Node n > 0 as (n - parent, location): the distance is small and never 0.
  static func stacks(_ t: StackTree) -> ProtoWriter {
    var w = ProtoWriter(capacity: t.count * 4)
    w.uint64(3, UInt64(t.count - 1))
    w.packed(1, (1..<max(1, t.count)).map { UInt64($0 - t.parents[$0].index) })
    w.packed(2, (1..<max(1, t.count)).map { UInt64(UInt32(bitPattern: t.locations[$0].raw)) })
    return w
  }

  static func labelSet(_ set: LabelSet) -> ProtoWriter {
    var w = ProtoWriter()
    w.uint64(5, UInt64(set.count))
    w.packed(1, set.map { UInt64(UInt32(bitPattern: $0.key.raw)) })
    w.packed(2, set.map { UInt64(UInt32(bitPattern: $0.string.raw)) })
    w.packed(3, set.map { $0.number }[...])
    w.packed(4, set.map { UInt64(UInt32(bitPattern: $0.numberUnit.raw)) })
    return w
  }

  /// Samples as columns: stack ids, label-set ids (left out when all are none), then one
  /// `column` message per sample type, so equal values sit next to each other.
  static func samples(_ t: SampleTable) -> ProtoWriter {
    var w = ProtoWriter(capacity: t.count * 6)
    w.uint64(1, UInt64(t.count))
    // Stack ids as zigzag deltas from the previous sample's: consecutive samples of a
    // capture mostly end in nodes made one after the other, so deltas take one byte.
    var previous: Int64 = 0
    w.packed(
      2,
      t.stacks.map { (s: StackID) -> UInt64 in
        let delta = Int64(s.raw) - previous
        previous = Int64(s.raw)
        return UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
      })
    if t.labelSets.contains(where: { $0 != .none }) {
      w.packed(3, t.labelSets.map { UInt64(UInt32(bitPattern: $0.raw)) })
    }
    var column = ProtoWriter(capacity: t.count * 4)
    var values = [Int64](repeating: 0, count: t.count)
    for c in 0..<t.width {
      for i in 0..<t.count { values[i] = t.value(i, c) }
      column.reset()
      column.packed(1, values[...])
      w.message(4, column)
    }
    return w
  }

  static func run(_ r: RunInfo) -> ProtoWriter {
    var w = ProtoWriter()
    if let command = r.command {
      w.present(2, 1)
      for word in command { w.string(1, word) }
    }
    if let t = r.termination { w.message(3, termination(t)) }
    w.present(4, r.elapsedNanos)
    w.present(5, r.cpuNanos)
    w.int64(6, r.lostRecords)
    w.bool(7, r.interrupted)
    for n in r.notes { w.string(8, n) }
    if let a = r.allocations { w.message(9, allocations(a)) }
    w.int64(15, r.unparsedRecords)
    return w
  }

  static func termination(_ t: RunInfo.Termination) -> ProtoWriter {
    var w = ProtoWriter()
    switch t {
    case .exited(let code):
      w.present(1, 1)
      w.int64(2, Int64(code))
    case .signaled(let sig):
      w.present(1, 2)
      w.int64(2, Int64(sig))
    }
    return w
  }

  static func allocations(_ a: AllocationSummary) -> ProtoWriter {
    var w = ProtoWriter()
    w.present(1, a.rate)
    w.int64(2, Int64(a.processes))
    w.int64(3, Int64(a.sampledAllocations))
    w.int64(4, a.allocatedBytes)
    w.int64(5, a.allocatedObjects)
    w.int64(6, a.inUseBytes)
    w.int64(7, a.peakInUseBytes)
    w.int64(8, a.peakNanos)
    w.int64(9, a.lostRecords)
    w.int64(10, a.untrackedBlocks)
    return w
  }

  static func callStatistics(_ s: CallStatistics) -> ProtoWriter {
    var w = ProtoWriter()
    w.int64(1, s.calls)
    w.int64(2, s.selfNanos)
    w.int64(3, s.totalNanos)
    w.int64(4, s.maxSelfNanos)
    w.present(5, s.p95SelfNanos)
    w.int64(6, s.unmatchedEntries)
    w.bool(7, !s.hasDurations)
    w.bool(8, s.clock == .wall)
    if let t = s.wall { w.message(9, callTimes(t)) }
    if let t = s.rawCPU { w.message(10, callTimes(t)) }
    if let t = s.rawWall { w.message(11, callTimes(t)) }
    w.int64(12, s.probeCostNanos)
    w.bool(13, s.perGoroutine)
    return w
  }

  static func callTimes(_ t: CallTimes) -> ProtoWriter {
    var w = ProtoWriter()
    w.int64(1, t.selfNanos)
    w.int64(2, t.totalNanos)
    w.int64(3, t.maxSelfNanos)
    w.present(4, t.p95SelfNanos)
    return w
  }

  /// One repeat; its call statistics carry the function id and, for readers before ids,
  /// the function's name.
  static func runRepeat(_ r: RunRepeat, of p: Profile) -> ProtoWriter {
    var w = ProtoWriter()
    w.present(1, r.elapsedNanos)
    w.present(2, r.cpuNanos)
    for (name, v) in r.selfNanos.sorted(by: { $0.key < $1.key }) { w.message(3, namedValue(name, v)) }
    for (name, v) in r.cumNanos.sorted(by: { $0.key < $1.key }) { w.message(4, namedValue(name, v)) }
    for (id, s) in r.callStatistics.sorted(by: { $0.key < $1.key }) {
      var e = ProtoWriter()
      e.string(1, p.functions.indices.contains(id.index) ? p.name(of: id) : "")
      e.message(2, callStatistics(s))
      e.present(3, Int64(id.index))
      w.message(5, e)
    }
    if let t = r.termination { w.message(6, termination(t)) }
    return w
  }

  static func namedValue(_ name: String, _ value: Int64) -> ProtoWriter {
    var w = ProtoWriter()
    w.string(1, name)
    w.int64(2, value)
    return w
  }
}

extension ProtoWriter {
  /// An int64 field written even when zero, so a reader can tell 0 from absent (nil).
  mutating func present(_ field: Int, _ value: Int64?) {
    guard let value else { return }
    tag(field, .varint)
    varint(UInt64(bitPattern: value))
  }
}

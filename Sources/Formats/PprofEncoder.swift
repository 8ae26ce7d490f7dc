import ProfileModel

/// Encodes a `Profile` as pprof's profile.proto, gzipped as the format requires on disk.
///
/// Ids are the dense handles plus one (pprof reserves 0), stacks are written leaf first,
/// string_table[0] is "", time_nanos is written at most once, and mapping flags are
/// written as stored, so `PprofDecoder` reads back the same profile.
public enum PprofEncoder {
  /// The gzipped profile.proto bytes of `profile`; it is validated first.
  public static func encode(_ profile: Profile, compress: Bool = true) throws(FormatError) -> [UInt8] {
    let proto = try encodeProto(profile)
    return compress ? Gzip.compress(proto) : proto
  }

  /// The uncompressed profile.proto bytes of `profile`; it is validated first.
  public static func encodeProto(_ original: Profile) throws(FormatError) -> [UInt8] {
    let profile = PprofGoroutineLabel.labeled(original)
    do { try profile.validate() } catch { throw .invalidProfile(error) }
    guard profile.strings.count > 0, profile.strings[StringID.empty].isEmpty else {
      throw .invalidProfile(.badStringID(what: "string_table[0] (it must be empty)", id: 0))
    }

    // Strings the model keeps as plain text get indices in a copy of the string table;
    // interning leaves existing ids unchanged.
    var strings = profile.strings
    let sampleTypes = profile.sampleTypes.map { (strings.intern($0.type), strings.intern($0.unit)) }
    let periodType = profile.periodType.map { (strings.intern($0.type), strings.intern($0.unit)) }
    let comments = profile.comments.map { strings.intern($0) }
    let dropFrames = strings.intern(profile.dropFrames)
    let keepFrames = strings.intern(profile.keepFrames)
    let docURL = strings.intern(profile.docURL)
    var defaultType = StringID.empty
    if let d = profile.defaultSampleType, profile.sampleTypes.indices.contains(d) {
      defaultType = sampleTypes[d].0
    }

    var out = ProtoWriter(capacity: profile.samples.count * 64 + profile.locations.count * 16)
    var sub = ProtoWriter(capacity: 1024)
    for (type, unit) in sampleTypes {
      sub.reset()
      writeValueType(&sub, type, unit)
      out.message(1, sub)
    }
    writeSamples(profile, into: &out)
    for (i, m) in profile.mappings.enumerated() {
      sub.reset()
      sub.uint64(1, UInt64(i + 1))
      sub.uint64(2, m.start)
      sub.uint64(3, m.limit)
      sub.uint64(4, m.fileOffset)
      sub.int64(5, Int64(m.filename.raw))
      sub.int64(6, Int64(m.buildID.raw))
      sub.bool(7, m.hasFunctions)
      sub.bool(8, m.hasFilenames)
      sub.bool(9, m.hasLineNumbers)
      sub.bool(10, m.hasInlineFrames)
      out.message(3, sub)
    }
    var line = ProtoWriter(capacity: 32)
    for (i, l) in profile.locations.enumerated() {
      sub.reset()
      sub.uint64(1, UInt64(i + 1))
      sub.uint64(2, l.mapping.map { UInt64($0.index + 1) } ?? 0)
      sub.uint64(3, l.address)
      for ln in l.lines {
        line.reset()
        line.uint64(1, UInt64(ln.function.index + 1))
        line.int64(2, ln.line)
        line.int64(3, ln.column)
        sub.message(4, line)
      }
      sub.bool(5, l.isFolded)
      out.message(4, sub)
    }
    for (i, f) in profile.functions.enumerated() {
      sub.reset()
      sub.uint64(1, UInt64(i + 1))
      sub.int64(2, Int64(f.name.raw))
      sub.int64(3, Int64(f.systemName.raw))
      sub.int64(4, Int64(f.filename.raw))
      sub.int64(5, f.startLine)
      out.message(5, sub)
    }
    strings.forEachUTF8 { out.string(6, utf8: $0) }
    out.int64(7, Int64(dropFrames.raw))
    out.int64(8, Int64(keepFrames.raw))
    out.int64(9, profile.timeNanos)
    out.int64(10, profile.durationNanos)
    if let (type, unit) = periodType {
      sub.reset()
      writeValueType(&sub, type, unit)
      out.message(11, sub)
    }
    out.int64(12, profile.period)
    // Comments are repeated and unpacked in Go's writer; a zero index (empty comment) is still written.
    for c in comments {
      out.tag(13, .varint)
      out.varint(UInt64(c.raw))
    }
    out.int64(14, Int64(defaultType.raw))
    out.int64(15, Int64(docURL.raw))
    PprofCallStatistics.write(profile, into: &out)
    return out.bytes
  }

  private static func writeValueType(_ w: inout ProtoWriter, _ type: StringID, _ unit: StringID) {
    w.int64(1, Int64(type.raw))
    w.int64(2, Int64(unit.raw))
  }

  private static func writeSamples(_ profile: Profile, into out: inout ProtoWriter) {
    let samples = profile.samples
    let stacks = profile.stacks
    var sub = ProtoWriter(capacity: 1024)
    var label = ProtoWriter(capacity: 32)
    var frames: [UInt64] = []
    frames.reserveCapacity(256)
    for i in 0..<samples.count {
      sub.reset()
      frames.removeAll(keepingCapacity: true)
      var node = samples.stacks[i]
      while node != .root {
        frames.append(UInt64(stacks.location(of: node).index + 1))
        node = stacks.parent(of: node)
      }
      sub.packed(1, frames)
      sub.packed(2, samples.values(of: i))
      for l in profile.labelSets[samples.labelSets[i]] {
        label.reset()
        label.int64(1, Int64(l.key.raw))
        label.int64(2, Int64(l.string.raw))
        label.int64(3, l.number)
        label.int64(4, Int64(l.numberUnit.raw))
        sub.message(3, label)
      }
      out.message(2, sub)
    }
  }
}

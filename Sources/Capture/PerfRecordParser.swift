/// Parses perf records from bytes, laid out by the event's `SampleFormat`.
///
/// Pure: works the same on bytes copied out of a live ring and on recorded fixtures.
public struct PerfRecordParser: Sendable {
  /// The layout records are parsed with.
  public let format: SampleFormat

  /// Creates a value from its parts.
  public init(format: SampleFormat) { self.format = format }

  /// Size of the record that starts at `offset` of `bytes`, or nil when fewer than 8
  /// header bytes remain. Throws when the header's size is impossible.
  public static func recordSize(in bytes: UnsafeRawBufferPointer, at offset: Int) throws(CaptureError) -> Int? {
    guard bytes.count - offset >= 8 else { return nil }
    let size = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self)))
    if size < 8 { throw .badRecordSize(offset: offset, size: size) }
    return size
  }

  /// The record type in the header of `record`.
  public static func type(of record: UnsafeRawBufferPointer) -> UInt32 {
    UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
  }

  /// The timestamp of a record (sample time or sample_id trailer time), without parsing it all.
  public func time(of record: UnsafeRawBufferPointer) -> UInt64? {
    let type = PerfRecordParser.type(of: record)
    let offset: Int
    if type == PerfRecordType.sample {
      guard let o = format.sampleTimeOffset else { return nil }
      offset = o
    } else {
      guard let fromEnd = format.trailerTimeOffsetFromEnd, record.count - fromEnd >= 8 else { return nil }
      offset = record.count - fromEnd
    }
    guard offset + 8 <= record.count else { return nil }
    return UInt64(littleEndian: record.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  /// Parses one whole record (header included).
  public func parse(_ record: UnsafeRawBufferPointer) throws(CaptureError) -> PerfRecord {
    // The type is known before it is read so that truncation errors of every record name it.
    var r = ByteReader(record, type: record.count >= 4 ? PerfRecordParser.type(of: record) : 0)
    let type = try r.u32()
    let misc = try r.u16()
    _ = try r.u16()
    switch type {
    case PerfRecordType.sample:
      return .sample(try parseSample(&r, misc: misc))
    case PerfRecordType.mmap, PerfRecordType.mmap2:
      let body = try withTrailer(record, type: type) { (r: inout ByteReader) throws(CaptureError) in
        try parseMmap(&r, misc: misc, isMmap2: type == PerfRecordType.mmap2)
      }
      var m = body.0
      m.sampleID = body.1
      return .mmap(m)
    case PerfRecordType.comm:
      let body = try withTrailer(record, type: type) { (r: inout ByteReader) throws(CaptureError) in
        let pid = try r.i32()
        let tid = try r.i32()
        let name = try r.cString()
        return CommRecord(
          pid: pid, tid: tid, name: name, isExec: misc & PerfRecordMisc.commExec != 0, sampleID: SampleID())
      }
      var c = body.0
      c.sampleID = body.1
      return .comm(c)
    case PerfRecordType.fork, PerfRecordType.exit:
      let body = try withTrailer(record, type: type) { (r: inout ByteReader) throws(CaptureError) in
        TaskRecord(
          pid: try r.i32(), parentPID: try r.i32(), tid: try r.i32(), parentTID: try r.i32(), time: try r.u64(),
          sampleID: SampleID())
      }
      var t = body.0
      t.sampleID = body.1
      return type == PerfRecordType.fork ? .fork(t) : .exit(t)
    case PerfRecordType.lost:
      let body = try withTrailer(record, type: type) { (r: inout ByteReader) throws(CaptureError) in
        LostRecord(id: try r.u64(), count: try r.u64(), sampleID: SampleID())
      }
      var l = body.0
      l.sampleID = body.1
      return .lost(l)
    case PerfRecordType.throttle, PerfRecordType.unthrottle:
      let body = try withTrailer(record, type: type) { (r: inout ByteReader) throws(CaptureError) in
        let time = try r.u64()
        _ = try r.u64()  // id
        _ = try r.u64()  // stream id
        return ThrottleRecord(time: time, isThrottle: type == PerfRecordType.throttle, sampleID: SampleID())
      }
      var t = body.0
      t.sampleID = body.1
      return .throttle(t)
    case PerfRecordType.contextSwitch:
      let id = try withTrailer(record, type: type) { (_: inout ByteReader) throws(CaptureError) in () }.1
      return .contextSwitch(
        SwitchRecord(
          isOut: misc & PerfRecordMisc.switchOut != 0, isPreempted: misc & PerfRecordMisc.switchOutPreempt != 0,
          sampleID: id))
    default:
      return .other(type: type)
    }
  }

  /// Splits off the sample_id trailer, parses the body with `body` and the trailer.
  private func withTrailer<T>(
    _ record: UnsafeRawBufferPointer, type: UInt32, _ body: (inout ByteReader) throws(CaptureError) -> T
  ) throws(CaptureError) -> (T, SampleID) {
    let trailer = format.sampleIDTrailerBytes
    guard record.count >= 8 + trailer else {
      throw .truncatedRecord(type: type, size: record.count, needed: 8 + trailer)
    }
    var bodyReader = ByteReader(UnsafeRawBufferPointer(rebasing: record[8..<(record.count - trailer)]), type: type)
    let value = try body(&bodyReader)
    var t = ByteReader(UnsafeRawBufferPointer(rebasing: record[(record.count - trailer)...]), type: type)
    var id = SampleID()
    if trailer > 0 {
      let st = format.sampleType
      if st.contains(.tid) {
        id.pid = try t.i32()
        id.tid = try t.i32()
      }
      if st.contains(.time) { id.time = try t.u64() }
      if st.contains(.id) { _ = try t.u64() }
      if st.contains(.streamID) { _ = try t.u64() }
      if st.contains(.cpu) {
        id.cpu = try t.u32()
        _ = try t.u32()
      }
    }
    return (value, id)
  }

  private func parseMmap(_ r: inout ByteReader, misc: UInt16, isMmap2: Bool) throws(CaptureError) -> MmapRecord {
    let pid = try r.i32()
    let tid = try r.i32()
    let start = try r.u64()
    let length = try r.u64()
    let pgoff = try r.u64()
    var protection: UInt32?
    var buildID: String?
    if isMmap2 {
      if misc & PerfRecordMisc.mmapBuildID != 0 {
        let size = Int(try r.u8())
        _ = try r.u8()
        _ = try r.u16()
        let idBytes = try r.bytes(20)
        buildID = hex(UnsafeRawBufferPointer(rebasing: idBytes[0..<min(size, 20)]))
      } else {
        _ = try r.bytes(24)  // maj, min, ino, ino_generation
      }
      protection = try r.u32()
      _ = try r.u32()  // flags
    }
    let filename = try r.cString()
    return MmapRecord(
      misc: misc, pid: pid, tid: tid, start: start, length: length, pageOffset: pgoff, filename: filename,
      protection: protection, buildID: buildID, sampleID: SampleID())
  }

  private func parseSample(_ r: inout ByteReader, misc: UInt16) throws(CaptureError) -> PerfSample {
    let st = format.sampleType
    var s = PerfSample(misc: misc)
    if st.contains(.identifier) { _ = try r.u64() }
    if st.contains(.ip) { s.ip = try r.u64() }
    if st.contains(.tid) {
      s.pid = try r.i32()
      s.tid = try r.i32()
    }
    if st.contains(.time) { s.time = try r.u64() }
    if st.contains(.addr) { _ = try r.u64() }
    if st.contains(.id) { _ = try r.u64() }
    if st.contains(.streamID) { _ = try r.u64() }
    if st.contains(.cpu) {
      s.cpu = try r.u32()
      _ = try r.u32()
    }
    if st.contains(.period) { s.period = try r.u64() }
    if st.contains(.callchain) {
      let n = try r.u64()
      guard n <= UInt64(r.remaining / 8) else {
        // n is the record's word, up to 2^64 - 1: the size it claims saturates, never traps.
        let claimed = n > UInt64(Int.max / 16) ? Int.max : r.offset + Int(n) * 8
        throw .truncatedRecord(type: PerfRecordType.sample, size: r.size, needed: claimed)
      }
      s.callchain = RawWords(try r.bytes(Int(n) * 8))
    }
    if st.contains(.raw) {
      let size = Int(try r.u32())
      s.raw = try r.bytes(size)
    }
    if st.contains(.regsUser) {
      let abi = try r.u64()
      s.userRegistersABI = abi
      // With ABI 0 (no user context, e.g. a kernel thread) no registers follow.
      if abi != 0 { s.userRegisters = RawWords(try r.bytes(format.userRegisterCount * 8)) }
    }
    if st.contains(.stackUser) {
      let size = Int(clamping: try r.u64())
      if size > 0 {
        let data = try r.bytes(size)
        let dynamic = Int(clamping: try r.u64())
        s.userStack = UnsafeRawBufferPointer(rebasing: data[0..<min(dynamic, size)])
      }
    }
    if st.contains(.weight) { _ = try r.u64() }
    if st.contains(.dataSource) { _ = try r.u64() }
    if st.contains(.transaction) { _ = try r.u64() }
    return s
  }
}

/// Bounds-checked little-endian reads over record bytes.
struct ByteReader {
  let base: UnsafeRawBufferPointer
  var offset = 0
  let type: UInt32

  init(_ base: UnsafeRawBufferPointer, type: UInt32 = 0) {
    self.base = base
    self.type = type
  }

  var remaining: Int { base.count - offset }
  var size: Int { base.count }

  private mutating func need(_ n: Int) throws(CaptureError) {
    if n < 0 || remaining < n {
      let (needed, overflow) = offset.addingReportingOverflow(max(n, 0))
      throw .truncatedRecord(type: type, size: base.count, needed: overflow ? .max : needed)
    }
  }

  mutating func u8() throws(CaptureError) -> UInt8 {
    try need(1)
    defer { offset += 1 }
    return base[offset]
  }

  mutating func u16() throws(CaptureError) -> UInt16 {
    try need(2)
    defer { offset += 2 }
    return UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
  }

  mutating func u32() throws(CaptureError) -> UInt32 {
    try need(4)
    defer { offset += 4 }
    return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  mutating func i32() throws(CaptureError) -> Int32 { Int32(bitPattern: try u32()) }

  mutating func u64() throws(CaptureError) -> UInt64 {
    try need(8)
    defer { offset += 8 }
    return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  mutating func bytes(_ n: Int) throws(CaptureError) -> UnsafeRawBufferPointer {
    try need(n)
    defer { offset += n }
    return UnsafeRawBufferPointer(rebasing: base[offset..<(offset + n)])
  }

  /// A NUL-terminated string (padding after the NUL is skipped); the rest when no NUL.
  mutating func cString() throws(CaptureError) -> String {
    let rest = UnsafeRawBufferPointer(rebasing: base[offset...])
    let end = rest.firstIndex(of: 0) ?? rest.count
    offset = base.count
    return String(decoding: UnsafeRawBufferPointer(rebasing: rest[0..<end]), as: UTF8.self)
  }
}

private func hex(_ bytes: UnsafeRawBufferPointer) -> String {
  let digits: [UInt8] = Array("0123456789abcdef".utf8)
  var out: [UInt8] = []
  out.reserveCapacity(bytes.count * 2)
  for b in bytes {
    out.append(digits[Int(b >> 4)])
    out.append(digits[Int(b & 15)])
  }
  return String(decoding: out, as: UTF8.self)
}

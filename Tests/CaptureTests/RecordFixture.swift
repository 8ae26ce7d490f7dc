import Capture

/// Builds perf record bytes the way the kernel lays them out, for parser and converter tests.
/// The format is the sampler's: sample_type IP|TID|TIME|CPU|PERIOD|CALLCHAIN, sample_id_all.
struct RecordFixture {
  var bytes: [UInt8] = []

  static let cpu: UInt32 = 1

  mutating func sample(pid: Int32, tid: Int32, time: UInt64, period: UInt64, chain: [UInt64], misc: UInt16 = 2) {
    var body = Body()
    body.u64(chain.first { $0 < PerfContext.max } ?? 0)  // ip
    body.i32(pid)
    body.i32(tid)
    body.u64(time)
    body.u32(RecordFixture.cpu)
    body.u32(0)
    body.u64(period)
    body.u64(UInt64(chain.count))
    for w in chain { body.u64(w) }
    append(type: PerfRecordType.sample, misc: misc, body: body.bytes)
  }

  mutating func mmap2(
    pid: Int32, start: UInt64, length: UInt64, pgoff: UInt64, prot: UInt32 = 5, filename: String,
    buildID: [UInt8]? = nil, time: UInt64
  ) {
    var body = Body()
    body.i32(pid)
    body.i32(pid)
    body.u64(start)
    body.u64(length)
    body.u64(pgoff)
    var misc: UInt16 = 2
    if let buildID {
      misc |= PerfRecordMisc.mmapBuildID
      body.u8(UInt8(buildID.count))
      body.u8(0)
      body.u16(0)
      body.bytes(buildID + Array(repeating: 0, count: 20 - buildID.count))
    } else {
      body.bytes(Array(repeating: 7, count: 24))
    }
    body.u32(prot)
    body.u32(2)
    body.string(filename)
    body.trailer(pid: pid, tid: pid, time: time)
    append(type: PerfRecordType.mmap2, misc: misc, body: body.bytes)
  }

  mutating func mmap(pid: Int32, start: UInt64, length: UInt64, pgoff: UInt64, filename: String, time: UInt64) {
    var body = Body()
    body.i32(pid)
    body.i32(pid)
    body.u64(start)
    body.u64(length)
    body.u64(pgoff)
    body.string(filename)
    body.trailer(pid: pid, tid: pid, time: time)
    append(type: PerfRecordType.mmap, misc: 2, body: body.bytes)
  }

  mutating func comm(pid: Int32, tid: Int32, name: String, exec: Bool, time: UInt64) {
    var body = Body()
    body.i32(pid)
    body.i32(tid)
    body.string(name)
    body.trailer(pid: pid, tid: tid, time: time)
    append(type: PerfRecordType.comm, misc: exec ? PerfRecordMisc.commExec : 0, body: body.bytes)
  }

  mutating func task(fork: Bool, pid: Int32, ppid: Int32, tid: Int32, ptid: Int32, time: UInt64) {
    var body = Body()
    body.i32(pid)
    body.i32(ppid)
    body.i32(tid)
    body.i32(ptid)
    body.u64(time)
    body.trailer(pid: pid, tid: tid, time: time)
    append(type: fork ? PerfRecordType.fork : PerfRecordType.exit, misc: 0, body: body.bytes)
  }

  /// A PERF_RECORD_SWITCH of `tid`: out (optionally preempted) or in.
  mutating func contextSwitch(pid: Int32, tid: Int32, out: Bool, preempted: Bool = false, time: UInt64) {
    var body = Body()
    body.trailer(pid: pid, tid: tid, time: time)
    let misc = (out ? PerfRecordMisc.switchOut : 0) | (preempted ? PerfRecordMisc.switchOutPreempt : 0)
    append(type: PerfRecordType.contextSwitch, misc: misc, body: body.bytes)
  }

  mutating func lost(count: UInt64, time: UInt64) {
    var body = Body()
    body.u64(42)
    body.u64(count)
    body.trailer(pid: -1, tid: -1, time: time)
    append(type: PerfRecordType.lost, misc: 0, body: body.bytes)
  }

  mutating func throttle(_ on: Bool, time: UInt64) {
    var body = Body()
    body.u64(time)
    body.u64(1)
    body.u64(2)
    body.trailer(pid: 0, tid: 0, time: time)
    append(type: on ? PerfRecordType.throttle : PerfRecordType.unthrottle, misc: 0, body: body.bytes)
  }

  private mutating func append(type: UInt32, misc: UInt16, body: [UInt8]) {
    var header = Body()
    header.u32(type)
    header.u16(misc)
    header.u16(UInt16(8 + body.count))
    bytes += header.bytes + body
  }

  struct Body {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func bytes(_ b: [UInt8]) { bytes += b }
    /// NUL-terminated and padded to 8 bytes, as the kernel writes names.
    mutating func string(_ s: String) {
      var b = Array(s.utf8) + [0]
      while b.count % 8 != 0 { b.append(0) }
      bytes += b
    }
    /// The sample_id_all trailer: {pid, tid}, time, {cpu, res}.
    mutating func trailer(pid: Int32, tid: Int32, time: UInt64) {
      i32(pid)
      i32(tid)
      u64(time)
      u32(RecordFixture.cpu)
      u32(0)
    }
  }
}

/// Parses every record of `bytes` with the sampler's format and hands them to `body`
/// while the bytes (which samples point into) are still valid.
func withRecords(_ bytes: [UInt8], _ body: ([PerfRecord]) throws -> Void) throws {
  let parser = PerfRecordParser(format: .cpuSampling)
  try bytes.withUnsafeBytes { raw in
    var result: [PerfRecord] = []
    var offset = 0
    while let size = try PerfRecordParser.recordSize(in: raw, at: offset) {
      result.append(try parser.parse(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)])))
      offset += size
    }
    try body(result)
  }
}

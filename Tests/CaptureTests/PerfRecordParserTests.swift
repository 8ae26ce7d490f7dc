import Capture
import XCTest

final class PerfRecordParserTests: XCTestCase {
  func testSampleFieldsAndCallchain() throws {
    var f = RecordFixture()
    f.sample(pid: 10, tid: 11, time: 5_000, period: 1_001_000, chain: [PerfContext.user, 0x401000, 0x402000])
    try withRecords(f.bytes) { records in
      XCTAssertEqual(records.count, 1)
      guard case .sample(let s) = records.first else { return XCTFail("not a sample") }
      XCTAssertEqual(s.ip, 0x401000)
      XCTAssertEqual(s.pid, 10)
      XCTAssertEqual(s.tid, 11)
      XCTAssertEqual(s.time, 5_000)
      XCTAssertEqual(s.cpu, RecordFixture.cpu)
      XCTAssertEqual(s.period, 1_001_000)
      XCTAssertEqual(s.callchain.map(Array.init), [PerfContext.user, 0x401000, 0x402000])
      XCTAssertNil(s.userStack)
    }
  }

  func testMmap2WithBuildIDAndTrailer() throws {
    var f = RecordFixture()
    f.mmap2(
      pid: 7, start: 0x5555_0000, length: 0x2000, pgoff: 0x1000, filename: "/usr/bin/x",
      buildID: [0xde, 0xad, 0xbe, 0xef], time: 99)
    f.mmap2(pid: 7, start: 0x6000, length: 0x1000, pgoff: 0, prot: 3, filename: "/data", time: 100)
    try withRecords(f.bytes) { records in
      guard case .mmap(let m) = records[0], case .mmap(let d) = records[1] else { return XCTFail("not mmaps") }
      XCTAssertEqual(m.filename, "/usr/bin/x")
      XCTAssertEqual(m.start, 0x5555_0000)
      XCTAssertEqual(m.length, 0x2000)
      XCTAssertEqual(m.pageOffset, 0x1000)
      XCTAssertEqual(m.buildID, "deadbeef")
      XCTAssertEqual(m.sampleID, SampleID(pid: 7, tid: 7, time: 99, cpu: RecordFixture.cpu))
      XCTAssertTrue(m.isExecutable)
      XCTAssertNil(d.buildID)
      XCTAssertFalse(d.isExecutable, "prot 3 has no PROT_EXEC")
    }
  }

  func testCommForkExitLostThrottleAndMmap() throws {
    var f = RecordFixture()
    f.comm(pid: 3, tid: 4, name: "worker-alpha", exec: false, time: 1)
    f.comm(pid: 3, tid: 3, name: "ratio", exec: true, time: 2)
    f.task(fork: true, pid: 5, ppid: 3, tid: 5, ptid: 3, time: 3)
    f.task(fork: false, pid: 5, ppid: 3, tid: 5, ptid: 3, time: 4)
    f.lost(count: 17, time: 5)
    f.throttle(true, time: 6)
    f.throttle(false, time: 7)
    f.mmap(pid: 3, start: 0x1000, length: 0x1000, pgoff: 0, filename: "[vdso]", time: 8)
    try withRecords(f.bytes) { r in
      XCTAssertEqual(r.count, 8)
      guard case .comm(let c1) = r[0], case .comm(let c2) = r[1], case .fork(let fk) = r[2], case .exit(let ex) = r[3],
        case .lost(let l) = r[4], case .throttle(let t1) = r[5], case .throttle(let t2) = r[6], case .mmap(let m) = r[7]
      else { return XCTFail("unexpected record kinds") }
      XCTAssertEqual(c1.name, "worker-alpha")
      XCTAssertFalse(c1.isExec)
      XCTAssertEqual(c2.name, "ratio")
      XCTAssertTrue(c2.isExec)
      XCTAssertEqual(c2.sampleID.time, 2)
      XCTAssertEqual([fk.pid, fk.parentPID, fk.tid, fk.parentTID], [5, 3, 5, 3])
      XCTAssertEqual(ex.time, 4)
      XCTAssertEqual(l.count, 17)
      XCTAssertTrue(t1.isThrottle)
      XCTAssertFalse(t2.isThrottle)
      XCTAssertEqual(m.filename, "[vdso]")
      XCTAssertNil(m.protection)
      XCTAssertTrue(m.isExecutable)
    }
  }

  func testTimeWithoutFullParse() throws {
    var f = RecordFixture()
    f.sample(pid: 1, tid: 1, time: 1234, period: 1, chain: [])
    f.comm(pid: 1, tid: 1, name: "a", exec: false, time: 5678)
    let parser = PerfRecordParser(format: .cpuSampling)
    f.bytes.withUnsafeBytes { raw in
      let first = (try? PerfRecordParser.recordSize(in: raw, at: 0)) ?? nil
      guard let size = first else { return XCTFail("no record") }
      XCTAssertEqual(parser.time(of: UnsafeRawBufferPointer(rebasing: raw[0..<size])), 1234)
      XCTAssertEqual(parser.time(of: UnsafeRawBufferPointer(rebasing: raw[size...])), 5678)
    }
  }

  func testTruncatedSampleThrows() throws {
    var f = RecordFixture()
    f.sample(pid: 1, tid: 1, time: 1, period: 1, chain: [1, 2, 3])
    // Claim 3 frames but cut the record short by one frame (fix up the header size).
    var bytes = Array(f.bytes.dropLast(8))
    bytes[6] = UInt8(bytes.count & 0xff)
    bytes[7] = UInt8(bytes.count >> 8)
    let parser = PerfRecordParser(format: .cpuSampling)
    XCTAssertThrowsError(try bytes.withUnsafeBytes { try parser.parse($0) }) { error in
      guard case CaptureError.truncatedRecord(let type, _, _) = error else { return XCTFail("\(error)") }
      XCTAssertEqual(type, PerfRecordType.sample)
    }
  }

  func testStackUserAndRegsUserLayout() throws {
    // sample_type IP|TID|TIME|REGS_USER|STACK_USER with 3 user registers.
    let format = try SampleFormat(sampleType: [.ip, .tid, .time, .regsUser, .stackUser], userRegisterMask: 0b10101)
    var body = RecordFixture.Body()
    body.u64(0x400000)
    body.i32(9)
    body.i32(9)
    body.u64(77)
    body.u64(2)  // abi x86-64
    body.u64(0xa)
    body.u64(0xb)
    body.u64(0xc)
    body.u64(16)  // stack size
    body.bytes(Array(0..<16))
    body.u64(12)  // dyn_size
    var header = RecordFixture.Body()
    header.u32(PerfRecordType.sample)
    header.u16(2)
    header.u16(UInt16(8 + body.bytes.count))
    let bytes = header.bytes + body.bytes
    try bytes.withUnsafeBytes { raw in
      guard case .sample(let s) = try PerfRecordParser(format: format).parse(raw) else { return XCTFail("no sample") }
      XCTAssertEqual(s.userRegistersABI, 2)
      XCTAssertEqual(s.userRegisters.map(Array.init), [0xa, 0xb, 0xc])
      XCTAssertEqual(s.userStack.map(Array.init), Array(0..<12))
    }
  }

  func testUnsupportedSampleTypeThrows() {
    XCTAssertThrowsError(try SampleFormat(sampleType: [.ip, .branchStack]))
  }

  func testRingCopyJoinsRecordWrappingTheEnd() throws {
    // A 64-byte ring on its 8th lap: a 48-byte LOST record starts 24 bytes before the end
    // and continues at the start of the ring.
    var f = RecordFixture()
    f.lost(count: 3, time: 11)
    XCTAssertEqual(f.bytes.count, 48)
    var ring = [UInt8](repeating: 0xee, count: 64)
    let tail: UInt64 = 64 * 7 + 40
    for (i, b) in f.bytes.enumerated() { ring[Int((tail + UInt64(i)) % 64)] = b }
    var out: [UInt8] = [1, 2]  // copies append
    let n = ring.withUnsafeBytes { RingBuffer.copyAvailable(data: $0, head: tail + 48, tail: tail, into: &out) }
    XCTAssertEqual(n, 48)
    XCTAssertEqual(Array(out.dropFirst(2)), f.bytes)
    try withRecords(Array(out.dropFirst(2))) { records in
      guard case .lost(let l) = records.first else { return XCTFail("wrapped record did not parse") }
      XCTAssertEqual(l.count, 3)
      XCTAssertEqual(l.sampleID.time, 11)
    }
    var none: [UInt8] = []
    XCTAssertEqual(ring.withUnsafeBytes { RingBuffer.copyAvailable(data: $0, head: 5, tail: 5, into: &none) }, 0)
    XCTAssertTrue(none.isEmpty)
  }
}

final class CaptureErrorTests: XCTestCase {
  func testPermissionMessageNamesTheSysctlAndTheFixes() {
    let message = CaptureError.permissionMessage(paranoid: 3, errno: .permissionDenied, isRoot: false)
    XCTAssertTrue(message.contains("kernel.perf_event_paranoid is 3"), message)
    XCTAssertTrue(message.contains("root"), message)
    XCTAssertTrue(message.contains("CAP_PERFMON"), message)
    XCTAssertTrue(message.contains("sysctl kernel.perf_event_paranoid=1"), message)
    XCTAssertNil(CaptureError.permissionDenied(paranoid: 3, errno: .permissionDenied).exitStatus)
    let asRoot = CaptureError.permissionMessage(paranoid: 2, errno: .permissionDenied, isRoot: true)
    XCTAssertTrue(asRoot.contains("seccomp") && asRoot.contains("although perfsh runs as root"), asRoot)
  }

  func testCPUListParsing() {
    XCTAssertEqual(SystemInfo.parseCPUList("0-3,6\n"), [0, 1, 2, 3, 6])
    XCTAssertEqual(SystemInfo.parseCPUList("0"), [0])
    XCTAssertNil(SystemInfo.parseCPUList("3-1"))
    XCTAssertNil(SystemInfo.parseCPUList("a"))
  }

  func testSamplerAttributes() {
    let a = PerfEventFile.cpuClockAttributes(frequency: 999, excludeKernel: true, wakeupBytes: 4096)
    XCTAssertEqual(a.sample_freq, 999)
    XCTAssertEqual(a.freq, 1)
    XCTAssertEqual(a.sample_type, SampleType.cpuSampling.rawValue)
    XCTAssertEqual([a.inherit, a.enable_on_exec, a.disabled, a.sample_id_all, a.use_clockid], [1, 1, 1, 1, 1])
    XCTAssertEqual([a.mmap2, a.comm, a.task], [1, 1, 1])
    XCTAssertEqual([a.exclude_kernel, a.exclude_callchain_kernel], [1, 1])
    let k = PerfEventFile.cpuClockAttributes(frequency: 99, excludeKernel: false, wakeupBytes: 4096)
    XCTAssertEqual([k.exclude_kernel, k.exclude_callchain_kernel], [0, 0])
  }
}

import XCTest

@testable import Capture

/// The parser on record streams the kernel wrote (Tests/CaptureTests/Fixtures, made by
/// `KernelFixtureRecorder`): every record parses, and the values are the ones the kernel
/// had to write for the `forker` workload (fork + exec of itself, then exit).
final class KernelRecordFixtureTests: XCTestCase {
  /// Every record of `bytes` parsed with `format`, each handed to `body` while valid.
  private func forEachRecord(
    _ bytes: [UInt8], format: SampleFormat, _ body: (PerfRecord) -> Void
  ) throws -> (records: Int, failures: Int) {
    let parser = PerfRecordParser(format: format)
    var records = 0
    var failures = 0
    try bytes.withUnsafeBytes { raw in
      var offset = 0
      while let size = try PerfRecordParser.recordSize(in: raw, at: offset), offset + size <= raw.count {
        records += 1
        if let record = try? parser.parse(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)])) {
          body(record)
        } else {
          failures += 1
        }
        offset += size
      }
      XCTAssertEqual(offset, raw.count, "the stream ends on a record boundary")
    }
    return (records, failures)
  }

  func testCallChainStreamFromTheKernel() throws {
    var samples = 0
    var userChains = 0
    var comms: [CommRecord] = []
    var mmaps: [MmapRecord] = []
    var forks: [TaskRecord] = []
    var exits: [TaskRecord] = []
    let counts = try forEachRecord(try KernelFixtures.bytes(KernelFixtures.callchain), format: .cpuSampling) { r in
      switch r {
      case .sample(let s):
        samples += 1
        XCTAssertEqual(s.period.map { $0 > 0 }, true)
        XCTAssertNotNil(s.time)
        if let chain = s.callchain, chain.contains(PerfContext.user) { userChains += 1 }
      case .comm(let c): comms.append(c)
      case .mmap(let m): mmaps.append(m)
      case .fork(let t): forks.append(t)
      case .exit(let t): exits.append(t)
      default: break
      }
    }
    XCTAssertEqual(counts.failures, 0)
    XCTAssertGreaterThan(samples, 20, "forker runs ~0.3 s of CPU at 200 Hz")
    XCTAssertEqual(userChains, samples, "every frame-pointer chain has a user part")
    // The exec of the workload, then the child's exec of /proc/self/exe ("forker child").
    XCTAssertTrue(comms.contains { $0.name == "forker" && $0.isExec }, "\(comms)")
    XCTAssertGreaterThanOrEqual(comms.filter(\.isExec).count, 2, "\(comms)")
    let binary = try XCTUnwrap(mmaps.first { $0.filename.hasSuffix("examples/bin/forker") && $0.isExecutable })
    XCTAssertEqual(binary.protection.map { $0 & 4 }, 4)
    XCTAssertTrue(mmaps.contains { $0.filename.contains("libc.so") }, "libc is mapped")
    // The parent forks the child; the child exits before the parent.
    let fork = try XCTUnwrap(forks.first { $0.pid != $0.parentPID })
    let childExit = try XCTUnwrap(exits.first { $0.pid == fork.pid })
    let parentExit = try XCTUnwrap(exits.first { $0.pid == fork.parentPID })
    XCTAssertLessThan(childExit.time, parentExit.time)
    XCTAssertLessThan(fork.time, childExit.time)
  }

  func testUserRegistersAndStackFromTheKernel() throws {
    let format = try CommandCapture.sampleFormat(stackBytes: 512)
    var samples = 0
    var withStack = 0
    let counts = try forEachRecord(try KernelFixtures.bytes(KernelFixtures.userStack), format: format) { r in
      guard case .sample(let s) = r else { return }
      samples += 1
      // A sample in the kernel (e.g. during exec) may have no user state (ABI 0).
      guard s.userRegistersABI == 2 else { return }
      withStack += 1
      XCTAssertEqual(s.userRegisters?.count, format.userRegisterCount)
      XCTAssertEqual(s.userStack.map { $0.count > 0 && $0.count <= 512 }, true)
      // The stack pointer (x86-64 register SP is in the mask) lies below the copied stack's top.
      XCTAssertNotEqual(s.userRegisters?.last, 0)
    }
    XCTAssertEqual(counts.failures, 0)
    XCTAssertGreaterThan(samples, 5)
    XCTAssertGreaterThan(withStack, samples / 2)
  }

  func testLostRecordFromTheKernel() throws {
    let format = try CommandCapture.sampleFormat(stackBytes: 2048)
    var lost: UInt64 = 0
    var samples = 0
    let counts = try forEachRecord(try KernelFixtures.bytes(KernelFixtures.lost), format: format) { r in
      if case .lost(let l) = r { lost += l.count }
      if case .sample = r { samples += 1 }
    }
    XCTAssertEqual(counts.failures, 0)
    XCTAssertGreaterThan(lost, 0, "one-page rings at 20 kHz drained late drop records")
    XCTAssertGreaterThan(samples, 0)
    // The converter counts them as the run's lost records.
    var converter = ProfileConverter(frequency: 20_000)
    _ = try forEachRecord(try KernelFixtures.bytes(KernelFixtures.lost), format: format) { converter.consume($0) }
    XCTAssertEqual(converter.stats.lostRecords, lost)
  }

  /// Uprobe entry hits the kernel wrote for outer() of `calls 0 0`: the decoder finds
  /// exactly the 400 calls, each with the workload's thread and its own time.
  func testUprobeHitsFromTheKernel() throws {
    let file = try KernelFixtures.bytes(KernelFixtures.uprobe)
    let count = file.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) }
    XCTAssertGreaterThan(count, 0)
    var decoder = TraceRecordDecoder()
    for i in 0..<count {
      let id = file.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8 + 8 * i, as: UInt64.self) }
      decoder.register(id: id, function: 0, isReturn: false)
    }
    let records = Array(file.dropFirst(8 + 8 * count))
    var hits: [TraceHit] = []
    let used = records.withUnsafeBytes { decoder.decode($0, into: &hits) }
    XCTAssertEqual(used, records.count)
    XCTAssertEqual(hits.count, 400, "outer() runs 400 times")
    XCTAssertEqual(decoder.probeHits, 400)
    XCTAssertEqual(decoder.lostRecords, 0)
    XCTAssertTrue(hits.allSatisfy { $0.function == 0 && $0.kind == .entry })
    XCTAssertEqual(Set(hits.map(\.tid)).count, 1, "one thread")
    XCTAssertEqual(Set(hits.map(\.time)).count, 400, "every hit has its own time")
  }

  /// A real stream with one record's bytes damaged: the damaged record is a counted loss,
  /// every other record still arrives.
  func testCorruptedKernelStreamCountsTheUnparsableRecord() throws {
    var bytes = try KernelFixtures.bytes(KernelFixtures.callchain)
    var offsets: [Int] = []
    try bytes.withUnsafeBytes { raw in
      var offset = 0
      while let size = try PerfRecordParser.recordSize(in: raw, at: offset), offset + size <= raw.count {
        if PerfRecordParser.type(of: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)]))
          == PerfRecordType.sample
        {
          offsets.append(offset)
        }
        offset += size
      }
    }
    let victim = try XCTUnwrap(offsets.dropFirst(offsets.count / 2).first)
    // The call chain's length word (after ip, pid/tid, time, cpu, period) claims 2^20 frames.
    let nr = victim + 8 + 40
    withUnsafeBytes(of: UInt64(1 << 20).littleEndian) { for (i, b) in $0.enumerated() { bytes[nr + i] = b } }
    var merger = RecordMerger(rings: 1, parser: PerfRecordParser(format: .cpuSampling))
    merger.withBuffer(ring: 0) { $0 += bytes }
    var delivered = 0
    merger.flush { _ in delivered += 1 }
    let total = try forEachRecord(try KernelFixtures.bytes(KernelFixtures.callchain), format: .cpuSampling) { _ in }
      .records
    XCTAssertEqual(merger.unparsedRecords, 1)
    XCTAssertEqual(delivered, total - 1)
  }
}

import Capture
import ProfileModel
import XCTest

final class ProfileConverterTests: XCTestCase {
  private func convert(_ f: RecordFixture, frequency: Int = 1000) throws -> (Profile, ConverterStats) {
    var converter = ProfileConverter(frequency: frequency)
    try f.bytes.withUnsafeBytes { raw in
      try converter.consume(records: raw, parser: PerfRecordParser(format: .cpuSampling))
    }
    return (converter.makeProfile(run: RunInfo()), converter.stats)
  }

  /// (address, mapping file name) of each frame of sample `i`, leaf first.
  private func frames(_ p: Profile, sample i: Int) -> [(UInt64, String?)] {
    p.stacks.frames(leafFirst: p.samples.stacks[i]).map { id in
      let loc = p.location(id)
      return (loc.address, loc.mapping.map { p.string(p.mapping($0).filename) })
    }
  }

  private func labels(_ p: Profile, sample i: Int) -> [String: String] {
    var out: [String: String] = [:]
    for l in p.labelSets[p.samples.labelSets[i]] {
      out[p.string(l.key)] = l.string == .empty ? "\(l.number)" : p.string(l.string)
    }
    return out
  }

  func testUserFramesMapToMappingsWithReturnAddressMinusOne() throws {
    var f = RecordFixture()
    f.comm(pid: 100, tid: 100, name: "ratio", exec: true, time: 1)
    f.mmap2(
      pid: 100, start: 0x400000, length: 0x1000, pgoff: 0x2000, filename: "/bin/ratio", buildID: [0xab, 0xcd], time: 2)
    f.mmap2(pid: 100, start: 0x7f00_0000_0000, length: 0x1000, pgoff: 0, filename: "//anon", time: 3)
    f.mmap2(pid: 100, start: 0x7fff_0000_0000, length: 0x1000, pgoff: 0, filename: "[vdso]", time: 4)
    f.mmap2(pid: 100, start: 0x500000, length: 0x1000, pgoff: 0, prot: 3, filename: "/heapfile", time: 5)
    f.sample(
      pid: 100, tid: 100, time: 10, period: 1_000_000,
      chain: [PerfContext.user, 0x400100, 0x7f00_0000_0010, 0x7fff_0000_0020, 0x500010, 0x400200])
    let (p, stats) = try convert(f)
    XCTAssertEqual(stats.samples, 1)
    XCTAssertEqual(stats.firstExecTime, 1)
    XCTAssertEqual(p.samples.count, 1)
    let fr = frames(p, sample: 0)
    XCTAssertEqual(fr.map(\.0), [0x400100, 0x7f00_0000_000f, 0x7fff_0000_001f, 0x50000f, 0x4001ff])
    XCTAssertEqual(fr.map(\.1), ["/bin/ratio", "/tmp/perf-100.map", "[vdso]", nil, "/bin/ratio"])
    let m = try XCTUnwrap(p.locations[p.stacks.location(of: p.samples.stacks[0]).index].mapping).index
    XCTAssertEqual(p.mappings[m].start, 0x400000)
    XCTAssertEqual(p.mappings[m].limit, 0x401000)
    XCTAssertEqual(p.mappings[m].fileOffset, 0x2000)
    XCTAssertEqual(p.string(p.mappings[m].buildID), "abcd")
    XCTAssertTrue(p.locations.allSatisfy { $0.lines.isEmpty })
    XCTAssertEqual(p.sampleTypes.map(\.description), ["samples/count", "cpu/nanoseconds"])
    XCTAssertEqual(p.period, 1_000_000)
    XCTAssertEqual(p.periodType?.description, "cpu/nanoseconds")
    XCTAssertNoThrow(try p.validate())
  }

  func testKernelFramesGetKernelMappingAndMarkersAreSkipped() throws {
    var f = RecordFixture()
    f.mmap2(pid: 5, start: 0x1000, length: 0x1000, pgoff: 0, filename: "/bin/k", time: 1)
    f.sample(
      pid: 5, tid: 5, time: 2, period: 10,
      chain: [PerfContext.kernel, 0xffff_ffff_8100_0000, 0xffff_ffff_8100_0100, PerfContext.user, 0x1010, 0x1020],
      misc: PerfRecordMisc.kernel)
    let (p, _) = try convert(f)
    let fr = frames(p, sample: 0)
    // The first user word is where the thread was interrupted (exact), even below kernel
    // frames: at a uprobe it is the probed function's first byte, and minus one named the
    // function before it.
    XCTAssertEqual(fr.map(\.0), [0xffff_ffff_8100_0000, 0xffff_ffff_8100_00ff, 0x1010, 0x101f])
    XCTAssertEqual(fr.map(\.1), ["[kernel.kallsyms]", "[kernel.kallsyms]", "/bin/k", "/bin/k"])
    let kernel = try XCTUnwrap(p.mappings.first { p.string($0.filename) == "[kernel.kallsyms]" })
    XCTAssertEqual(kernel.start, 0)
    XCTAssertEqual(kernel.limit, .max)
  }

  func testIdenticalSamplesAggregateAndThreadsKeepTheirLabels() throws {
    var f = RecordFixture()
    f.comm(pid: 1, tid: 1, name: "threads", exec: true, time: 1)
    f.mmap2(pid: 1, start: 0x1000, length: 0x1000, pgoff: 0, filename: "/bin/t", time: 2)
    f.task(fork: true, pid: 1, ppid: 1, tid: 2, ptid: 1, time: 3)
    f.comm(pid: 1, tid: 2, name: "worker-alpha", exec: false, time: 4)
    for t in 0..<3 {
      f.sample(pid: 1, tid: 2, time: 10 + UInt64(t), period: 100, chain: [PerfContext.user, 0x1100, 0x1200])
    }
    f.sample(pid: 1, tid: 1, time: 20, period: 7, chain: [PerfContext.user, 0x1100, 0x1200])
    let (p, stats) = try convert(f)
    XCTAssertEqual(stats.samples, 4)
    XCTAssertEqual(p.samples.count, 2, "same stack, two threads")
    let alpha = try XCTUnwrap((0..<2).first { labels(p, sample: $0)["thread"] == "worker-alpha" })
    XCTAssertEqual(labels(p, sample: alpha), ["pid": "1", "tid": "2", "thread": "worker-alpha"])
    XCTAssertEqual(Array(p.samples.values(of: alpha)), [3, 300])
    XCTAssertEqual(labels(p, sample: 1 - alpha), ["pid": "1", "tid": "1", "thread": "threads"])
    XCTAssertEqual(Array(p.samples.values(of: 1 - alpha)), [1, 7])
    XCTAssertEqual(p.total(column: 1), 307)
  }

  func testASampleWithoutATidIsAnExitingThreadWithoutATidLabel() throws {
    var f = RecordFixture()
    f.comm(pid: 1, tid: 1, name: "threads", exec: true, time: 1)
    f.sample(pid: 1, tid: 1, time: 10, period: 100, chain: [PerfContext.kernel, 0xffff_ffff_8100_0000])
    // A thread sampled in do_exit after it reaped itself: the kernel writes -1 for both ids when
    // it was the last thread, and -1 for the tid alone while the process has others.
    f.sample(pid: -1, tid: -1, time: 11, period: 100, chain: [PerfContext.kernel, 0xffff_ffff_8100_0000])
    f.sample(pid: 1, tid: -1, time: 12, period: 100, chain: [PerfContext.kernel, 0xffff_ffff_8100_0000])
    let (p, stats) = try convert(f)
    XCTAssertEqual(stats.samples, 3)
    XCTAssertEqual(p.samples.count, 3, "the same stack, a known thread and two without a tid")
    let all = (0..<3).map { labels(p, sample: $0) }
    XCTAssertTrue(all.contains(["pid": "1", "tid": "1", "thread": "threads"]), "\(all)")
    XCTAssertTrue(all.contains(["thread": ProfileConverter.exitedThreadName]), "\(all)")
    XCTAssertTrue(all.contains(["pid": "1", "thread": ProfileConverter.exitedThreadName]), "\(all)")
    XCTAssertFalse(all.contains { $0["tid"] == "-1" || $0["pid"] == "-1" }, "no -1 ids: \(all)")
    XCTAssertEqual(p.total(column: 1), 300, "its time counts")
  }

  func testForkCopiesMapsAndExecResetsThem() throws {
    var f = RecordFixture()
    f.comm(pid: 10, tid: 10, name: "forker", exec: true, time: 1)
    f.mmap2(pid: 10, start: 0x1000, length: 0x1000, pgoff: 0, filename: "/bin/forker", time: 2)
    f.task(fork: true, pid: 11, ppid: 10, tid: 11, ptid: 10, time: 3)
    f.sample(pid: 11, tid: 11, time: 4, period: 1, chain: [PerfContext.user, 0x1010])
    f.comm(pid: 11, tid: 11, name: "child", exec: true, time: 5)
    f.sample(pid: 11, tid: 11, time: 6, period: 1, chain: [PerfContext.user, 0x1010])
    f.mmap2(pid: 11, start: 0x1000, length: 0x1000, pgoff: 0, filename: "/bin/child", time: 7)
    f.sample(pid: 11, tid: 11, time: 8, period: 1, chain: [PerfContext.user, 0x1010])
    f.task(fork: false, pid: 11, ppid: 10, tid: 11, ptid: 10, time: 9)
    f.lost(count: 4, time: 10)
    f.throttle(true, time: 11)
    let (p, stats) = try convert(f)
    XCTAssertEqual(p.samples.count, 3)
    XCTAssertEqual(frames(p, sample: 0).map(\.1), ["/bin/forker"], "forked child inherits the parent's maps")
    XCTAssertEqual(labels(p, sample: 0)["thread"], "forker")
    XCTAssertEqual(frames(p, sample: 1).map(\.1), [nil], "exec dropped the old maps")
    XCTAssertEqual(labels(p, sample: 1)["thread"], "child")
    XCTAssertEqual(frames(p, sample: 2).map(\.1), ["/bin/child"])
    XCTAssertEqual(stats.lastExitTime, 9)
    XCTAssertEqual(stats.lostRecords, 4)
    XCTAssertEqual(stats.throttles, 1)
  }

  func testMergerOrdersRingsByTimeAndHoldsBackNewRecords() throws {
    var a = RecordFixture()
    a.mmap2(pid: 1, start: 0x1000, length: 0x1000, pgoff: 0, filename: "/bin/a", time: 10)
    a.sample(pid: 1, tid: 1, time: 40, period: 1, chain: [PerfContext.user, 0x1010])
    var b = RecordFixture()
    b.comm(pid: 1, tid: 1, name: "a", exec: true, time: 5)
    b.sample(pid: 1, tid: 1, time: 20, period: 1, chain: [PerfContext.user, 0x1020])
    var merger = RecordMerger(rings: 2, parser: PerfRecordParser(format: .cpuSampling))
    merger.withBuffer(ring: 0) { $0 += a.bytes }
    merger.withBuffer(ring: 1) { $0 += b.bytes }
    var times: [UInt64] = []
    var converter = ProfileConverter(frequency: 1000)
    let time: (PerfRecord) -> UInt64 = { r in
      switch r {
      case .sample(let s): return s.time ?? 0
      case .mmap(let m): return m.sampleID.time ?? 0
      case .comm(let c): return c.sampleID.time ?? 0
      default: return 0
      }
    }
    merger.emit(upTo: 30) { r in
      times.append(time(r))
      converter.consume(r)
    }
    XCTAssertEqual(times, [5, 10, 20])
    XCTAssertGreaterThan(merger.bufferedBytes, 0, "the time-40 sample is held back")
    merger.flush { r in
      times.append(time(r))
      converter.consume(r)
    }
    XCTAssertEqual(times, [5, 10, 20, 40])
    XCTAssertEqual(merger.bufferedBytes, 0)
    let p = converter.makeProfile(run: RunInfo())
    XCTAssertEqual(p.samples.count, 2)
    XCTAssertTrue(p.locations.allSatisfy { $0.mapping != nil }, "the mmap on ring 0 came before ring 1's sample")
  }

  /// A complete record that does not parse (its call chain claims 1,000 frames) is a loss:
  /// counted by the merger, the records around it still arrive.
  func testUnparsableRecordsAreCountedNotDropped() throws {
    var f = RecordFixture()
    f.comm(pid: 1, tid: 1, name: "a", exec: true, time: 5)
    f.sample(pid: 1, tid: 1, time: 10, period: 1, chain: [PerfContext.user, 0x1010])
    let corruptStart = f.bytes.count
    f.sample(pid: 1, tid: 1, time: 20, period: 1, chain: [PerfContext.user, 0x1020])
    f.sample(pid: 1, tid: 1, time: 30, period: 1, chain: [PerfContext.user, 0x1030])
    // header 8 + ip, pid/tid, time, cpu, period (8 each): the call chain's length word.
    let nr = corruptStart + 8 + 40
    withUnsafeBytes(of: UInt64(1_000).littleEndian) { for (i, b) in $0.enumerated() { f.bytes[nr + i] = b } }
    var merger = RecordMerger(rings: 1, parser: PerfRecordParser(format: .cpuSampling))
    merger.withBuffer(ring: 0) { $0 += f.bytes }
    var converter = ProfileConverter(frequency: 1000)
    let failures = merger.flush { converter.consume($0) }
    XCTAssertEqual(failures, 1)
    XCTAssertEqual(merger.unparsedRecords, 1)
    XCTAssertEqual(merger.bufferedBytes, 0)
    XCTAssertEqual(converter.makeProfile(run: RunInfo()).samples.count, 2, "the samples before and after it are kept")
    merger.withBuffer(ring: 0) { $0 += f.bytes }
    merger.flush { converter.consume($0) }
    XCTAssertEqual(merger.unparsedRecords, 2, "the count adds up over rounds")
  }

  func testAddressSpaceReplacesOverlaps() {
    var s = AddressSpace()
    s.map(start: 0x1000, end: 0x5000, object: 1)
    s.map(start: 0x2000, end: 0x3000, object: 2)  // splits object 1
    XCTAssertEqual(s.region(containing: 0x1fff)?.object, 1)
    XCTAssertEqual(s.region(containing: 0x2000)?.object, 2)
    XCTAssertEqual(s.region(containing: 0x3000)?.object, 1)
    XCTAssertEqual(s.region(containing: 0x4fff)?.object, 1)
    XCTAssertNil(s.region(containing: 0x5000))
    XCTAssertNil(s.region(containing: 0xfff))
    s.map(start: 0x0, end: 0x6000, object: 3)
    XCTAssertEqual(s.regions.count, 1)
    XCTAssertEqual(s.region(containing: 0x2500)?.object, 3)
  }
}

import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// perfsh session files (`save` / `open`): every field comes back, newer versions and
/// damaged files are clear errors, and mutated files never crash or yield a half session.
final class SessionArchiveTests: XCTestCase {
  /// The rich fixture with everything a traced, repeated, allocation run can carry.
  static func fullProfile() -> Profile {
    var p = FixtureProfiles.rich()
    p.run.command = ["./app", "--flag", "it's"]
    p.run.termination = .signaled(11)
    p.run.elapsedNanos = 1_234_567
    p.run.cpuNanos = 0
    p.run.lostRecords = 7
    p.run.unparsedRecords = 2
    p.run.interrupted = true
    p.run.notes = ["call graph: dwarf (8192 bytes of stack)", "unparsed records: 2"]
    p.run.allocations = AllocationSummary(
      rate: 524_288, processes: 2, sampledAllocations: 900, allocatedBytes: 1 << 30, allocatedObjects: 12_345,
      inUseBytes: 4096, peakInUseBytes: 1 << 20, peakNanos: 55, lostRecords: 3, untrackedBlocks: 1)
    let wall = CallTimes(selfNanos: 900, totalNanos: 1_900, maxSelfNanos: 90, p95SelfNanos: 0)
    p.callStatistics[FunctionID(2)] = CallStatistics(
      calls: 40_000, selfNanos: 600_000, totalNanos: 800_000, maxSelfNanos: 9_000, p95SelfNanos: 15_000,
      unmatchedEntries: 3, clock: .cpu, wall: wall,
      rawCPU: CallTimes(selfNanos: 700_000, totalNanos: 900_000, maxSelfNanos: 9_100, p95SelfNanos: nil),
      rawWall: nil, probeCostNanos: 120)
    p.callStatistics[FunctionID(0)] = CallStatistics(
      calls: 5, selfNanos: 0, totalNanos: 0, maxSelfNanos: 0, p95SelfNanos: nil, hasDurations: false)
    p.callStatistics[FunctionID(2)]?.perGoroutine = true  // Go: paired per goroutine
    p.repeats = [
      RunRepeat(
        elapsedNanos: 100, cpuNanos: nil, selfNanos: ["main.scan": 30, "": 0], cumNanos: ["main.main": 90],
        callStatistics: [
          FunctionID(2): CallStatistics(
            calls: 30_000, selfNanos: 2, totalNanos: 3, maxSelfNanos: 2, p95SelfNanos: 2, clock: .wall),
          FunctionID(0): CallStatistics(
            calls: 5, selfNanos: 0, totalNanos: 0, maxSelfNanos: 0, p95SelfNanos: nil, hasDurations: false),
        ],
        termination: .exited(0)),
      RunRepeat(
        elapsedNanos: nil, cpuNanos: 5,
        callStatistics: [
          FunctionID(2): CallStatistics(calls: 10_000, selfNanos: 1, totalNanos: 1, maxSelfNanos: 1, p95SelfNanos: nil)
        ],
        termination: .exited(-1)),
    ]
    return p
  }

  private func assertSame(_ a: Profile, _ b: Profile, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(ProfileSummary(a), ProfileSummary(b), file: file, line: line)
    XCTAssertEqual(a.strings.strings, b.strings.strings, file: file, line: line)
    XCTAssertEqual(a.stacks.parents, b.stacks.parents, file: file, line: line)
    XCTAssertEqual(a.stacks.locations, b.stacks.locations, file: file, line: line)
    XCTAssertEqual(a.samples.stacks, b.samples.stacks, file: file, line: line)
    XCTAssertEqual(a.samples.values, b.samples.values, file: file, line: line)
    XCTAssertEqual(a.labelSets.sets, b.labelSets.sets, file: file, line: line)
    XCTAssertEqual(a.run, b.run, file: file, line: line)
    XCTAssertEqual(a.callStatistics, b.callStatistics, file: file, line: line)
    XCTAssertEqual(a.repeats, b.repeats, file: file, line: line)
  }

  func testEverySessionFieldRoundTrips() throws {
    let p = Self.fullProfile()
    let sessions = [
      ArchivedSession(
        name: "traced", source: .run(command: ["./app", "x y"]), focus: ["main\\.scan"], ignore: ["memcpy"],
        hide: ["a", "b"],
        profile: p),
      ArchivedSession(
        name: "cpu.pb.gz", source: .file(path: "/tmp/cpu.pb.gz", format: "gzipped pprof"),
        profile: FixtureProfiles.rich()),
    ]
    let bytes = SessionArchive.encode(sessions)
    XCTAssertTrue(SessionArchive.hasMagic(bytes))
    let back = try SessionArchive.decode(bytes)
    XCTAssertEqual(back.count, 2)
    XCTAssertEqual(back[0].name, "traced")
    XCTAssertEqual(back[0].source, .run(command: ["./app", "x y"]))
    XCTAssertEqual(back[0].focus, ["main\\.scan"])
    XCTAssertEqual(back[0].ignore, ["memcpy"])
    XCTAssertEqual(back[0].hide, ["a", "b"])
    XCTAssertEqual(back[1].source, .file(path: "/tmp/cpu.pb.gz", format: "gzipped pprof"))
    assertSame(back[0].profile, p)
    assertSame(back[1].profile, FixtureProfiles.rich())
    // Optional facts: nil stays nil, 0 stays 0.
    XCTAssertEqual(back[0].profile.run.cpuNanos, 0)
    XCTAssertNil(back[1].profile.run.cpuNanos)
    XCTAssertNil(back[1].profile.run.command)
    XCTAssertEqual(back[0].profile.callStatistics[FunctionID(2)]?.wall?.p95SelfNanos, 0)
    XCTAssertNil(back[0].profile.callStatistics[FunctionID(2)]?.rawCPU?.p95SelfNanos)
    XCTAssertEqual(back[0].profile.callStatistics[FunctionID(0)]?.hasDurations, false)
  }

  func testLargeSyntheticProfileRoundTripsAndIsSmall() throws {
    let p = ProfileFixtures.synthetic(samples: 50_000, stacks: 2_000)
    let bytes = SessionArchive.encode([ArchivedSession(name: "big", source: .run(command: ["big"]), profile: p)])
    let back = try SessionArchive.decode(bytes)
    assertSame(back[0].profile, p)
    XCTAssertLessThan(bytes.count, 20 * p.samples.count, "under 20 bytes per sample")
  }

  /// Files written before repeats named their function by id match the call statistics by name.
  func testRepeatStatisticsWithoutIDsAreMatchedByName() throws {
    let p = FixtureProfiles.rich()
    var entry = ProtoWriter()
    entry.string(1, "main.scan")
    entry.message(
      2,
      SessionArchiveWriter.callStatistics(
        CallStatistics(calls: 7, selfNanos: 1, totalNanos: 1, maxSelfNanos: 1, p95SelfNanos: 1)))
    var message = ProtoWriter()
    message.message(5, entry)
    let repeatRun = try message.bytes.withUnsafeBytes { buffer in
      var reader = ProtoReader(buffer, range: 0..<buffer.count)
      return try SessionArchiveReader.runRepeat(&reader, of: p)
    }
    XCTAssertEqual(repeatRun.callStatistics.keys.map(\.index), [2])
    XCTAssertEqual(repeatRun.callStatistics[FunctionID(2)]?.calls, 7)
    var unknown = ProtoWriter()
    var gone = ProtoWriter()
    gone.string(1, "no.such.function")
    gone.message(
      2,
      SessionArchiveWriter.callStatistics(
        CallStatistics(calls: 7, selfNanos: 1, totalNanos: 1, maxSelfNanos: 1, p95SelfNanos: 1)))
    unknown.message(5, gone)
    XCTAssertThrowsError(
      try unknown.bytes.withUnsafeBytes { buffer in
        var reader = ProtoReader(buffer, range: 0..<buffer.count)
        return try SessionArchiveReader.runRepeat(&reader, of: p)
      })
  }

  /// A session whose repeats do not add up to its own Count is refused, not half loaded.
  func testRepeatsThatDisagreeWithTheSessionAreRejected() {
    var p = Self.fullProfile()
    p.repeats[1].callStatistics[FunctionID(2)]?.calls = 9_999
    let payload = SessionArchiveWriter.payload([ArchivedSession(name: "a", source: .run(command: []), profile: p)])
    XCTAssertThrowsError(try SessionArchiveReader.sessions(payload)) { error in
      XCTAssertEqual(
        error as? FormatError, .invalidArchive(reason: "function 2 has 40000 calls but its repeats add up to 39999"))
    }
  }

  func testNewerVersionIsAClearError() {
    var bytes = SessionArchive.encode([
      ArchivedSession(name: "a", source: .run(command: ["a"]), profile: FixtureProfiles.rich())
    ])
    bytes[8] = 2
    XCTAssertThrowsError(try SessionArchive.decode(bytes)) { error in
      XCTAssertEqual(error as? FormatError, .newerArchive(version: 2, supported: 1))
      XCTAssertEqual(
        "\(error)", "perfsh session file format 2 is newer than this perfsh reads (up to 1); upgrade perfsh")
    }
  }

  func testTruncatedAndDamagedFilesAreErrors() {
    let bytes = SessionArchive.encode([
      ArchivedSession(name: "a", source: .run(command: ["a"]), profile: FixtureProfiles.rich())
    ])
    XCTAssertThrowsError(try SessionArchive.decode(Array(bytes.prefix(10))))
    XCTAssertThrowsError(try SessionArchive.decode(Array(bytes.dropLast(9)))) { error in
      XCTAssertEqual(error as? FormatError, .truncatedGzip)
    }
    var flipped = bytes
    flipped[bytes.count / 2] ^= 0x10
    XCTAssertThrowsError(try SessionArchive.decode(flipped))
    XCTAssertThrowsError(try SessionArchive.decode(Array(bytes.prefix(12)))) { error in
      XCTAssertEqual(error as? FormatError, .corruptArchive(offset: 12, reason: "payload is not gzip data"))
    }
  }

  func testBrokenReferencesAreRejectedNotHalfLoaded() {
    var p = FixtureProfiles.rich()
    p.callStatistics[FunctionID(99)] = CallStatistics(
      calls: 1, selfNanos: 1, totalNanos: 1, maxSelfNanos: 1, p95SelfNanos: 1)
    let payload = SessionArchiveWriter.payload([ArchivedSession(name: "a", source: .run(command: []), profile: p)])
    XCTAssertThrowsError(try SessionArchiveReader.sessions(payload)) { error in
      XCTAssertEqual(
        error as? FormatError, .invalidArchive(reason: "call statistics for a function that does not exist"))
    }
    XCTAssertThrowsError(try SessionArchiveReader.sessions([])) { error in
      XCTAssertEqual(error as? FormatError, .invalidArchive(reason: "holds no sessions"))
    }
  }

  /// Seeded mutations of the payload (past the gzip checksum, which stops most damage) and
  /// of whole files: a full, valid set of sessions or a `FormatError`, never a crash.
  func testMutatedArchivesNeverCrash() throws {
    let sessions = [
      ArchivedSession(name: "t", source: .run(command: ["t"]), focus: ["x"], profile: Self.fullProfile()),
      ArchivedSession(
        name: "r", source: .file(path: "r", format: "pprof"),
        profile: FixtureProfiles.random(seed: 5, samples: 40, functions: 12, locations: 20, maxDepth: 6)),
    ]
    let payload = SessionArchiveWriter.payload(sessions)
    let file = SessionArchive.encode(sessions)
    var rng = SeededGenerator(seed: 0xa5c1)
    var loaded = 0
    var failed = 0
    for round in 0..<3000 {
      var bytes = round % 4 == 3 ? file : payload
      for _ in 0..<Int.random(in: 1...3, using: &rng) {
        guard !bytes.isEmpty else { break }
        let at = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
        case 1: bytes.removeSubrange(at...)
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
        case 3: bytes[at] = [0x00, 0x7f, 0x80, 0xff][Int.random(in: 0..<4, using: &rng)]
        default: bytes.insert(contentsOf: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], at: at)
        }
      }
      do {
        let back = round % 4 == 3 ? try SessionArchive.decode(bytes) : try SessionArchiveReader.sessions(bytes)
        for s in back { XCTAssertNoThrow(try s.profile.validate(), "round \(round)") }
        loaded += 1
      } catch {
        XCTAssertFalse(error.description.isEmpty)
        failed += 1
      }
    }
    XCTAssertGreaterThan(loaded, 50)
    XCTAssertGreaterThan(failed, 500)
  }
}

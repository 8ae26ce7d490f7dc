import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// Checks the codec against the real Go toolchain: profiles from `runtime/pprof` decode to the
/// numbers `go tool pprof` reports, and `go tool pprof` reads our encoding with our numbers.
final class GoCompatibilityTests: XCTestCase {
  override func setUpWithError() throws {
    if GoToolchain.goPath == nil { throw XCTSkip("go is not installed (scripts/test installs golang-go)") }
  }

  private func assertSameTop(
    _ profile: Profile, column: Int, _ pprof: [String: GoToolchain.TopRow],
    file: StaticString = #filePath, line: UInt = #line
  ) {
    let expected = referenceTop(profile, column: column)
    XCTAssertEqual(Set(pprof.keys), Set(expected.keys), file: file, line: line)
    for (name, row) in pprof {
      guard let e = expected[name] else { continue }
      XCTAssertEqual(row, GoToolchain.TopRow(flat: e.flat, cum: e.cum), name, file: file, line: line)
    }
  }

  func testGoCPUProfileDecodesToPprofsNumbers() throws {
    let dir = try GoToolchain.temporaryDirectory("go-cpu")
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = try GoToolchain.cpuProfile(in: dir)
    let bytes = try Array(Data(contentsOf: file))
    XCTAssertTrue(Gzip.isGzip(bytes), "runtime/pprof writes gzip")
    let profile = try ProfileLoader.load(bytes: bytes, name: file.lastPathComponent)

    XCTAssertEqual(
      profile.sampleTypes, [ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds")])
    XCTAssertEqual(profile.periodType, ValueType(type: "cpu", unit: "nanoseconds"))
    XCTAssertEqual(profile.period, 10_000_000)
    XCTAssertGreaterThan(profile.durationNanos, 900_000_000)
    XCTAssertGreaterThan(profile.timeNanos, 0)
    XCTAssertGreaterThan(profile.samples.count, 3)
    XCTAssertGreaterThan(profile.total(column: 0), 10)
    XCTAssertFalse(profile.mappings.isEmpty)

    let cpu = try GoToolchain.pprofTop(file, sampleIndex: "cpu")
    let samples = try GoToolchain.pprofTop(file, sampleIndex: "samples")
    assertSameTop(profile, column: 1, cpu)
    assertSameTop(profile, column: 0, samples)
    // Every sample has a leaf, so pprof's flat column adds up to our total.
    XCTAssertEqual(cpu.values.reduce(0) { $0 + $1.flat }, profile.total(column: 1))
    // The workload's known shape: gamma does 3 units of work to alpha's 1, beta 2. Go samples
    // at 100 Hz, so on a loaded 2-core machine ~25 samples per unit can tie 2:1; the exact
    // check of this test is the equality with go tool pprof above.
    let top = referenceTop(profile, column: 1)
    XCTAssertGreaterThan(top["main.gamma"]?.cum ?? 0, top["main.alpha"]?.cum ?? 0)
    XCTAssertGreaterThanOrEqual(top["main.beta"]?.cum ?? 0, top["main.alpha"]?.cum ?? 0)
    // mix is inlined: some location carries it as the innermost of two lines.
    XCTAssertTrue(
      profile.locations.contains { $0.lines.count > 1 && profile.name(of: $0.lines[0].function) == "main.mix" })

    // Our re-encoding of Go's profile reads back identically in go tool pprof and in perfsh.
    let again = dir.appendingPathComponent("again.pb.gz")
    try AtomicFile.write(try PprofEncoder.encode(profile), to: again.path)
    XCTAssertEqual(try GoToolchain.pprofTop(again, sampleIndex: "cpu"), cpu)
    let reread = try PprofDecoder.decode(Array(Data(contentsOf: again)))
    XCTAssertEqual(ProfileSummary(reread).differences(from: ProfileSummary(profile)), [])
  }

  func testGoHeapProfileWithNumericLabelsAndRepeatedStacks() throws {
    let dir = try GoToolchain.temporaryDirectory("go-heap")
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = try GoToolchain.profile(in: dir, source: GoToolchain.heapProgram)
    let profile = try ProfileLoader.load(bytes: Array(Data(contentsOf: file)), name: "heap")
    XCTAssertEqual(
      profile.sampleTypes.map(\.description),
      [
        "alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes",
      ])
    XCTAssertEqual(profile.periodType, ValueType(type: "space", unit: "bytes"))
    // Go writes one sample per allocation size, so stacks repeat across samples; they stay apart.
    XCTAssertGreaterThan(profile.samples.count, Set(profile.samples.stacks).count)
    let bytesKey = try XCTUnwrap(profile.strings.lookup("bytes"))
    XCTAssertTrue(profile.labelSets.sets.contains { $0.contains { $0.key == bytesKey && $0.number > 0 } })
    for (column, index) in [(1, "alloc_space"), (3, "inuse_space"), (0, "alloc_objects")] {
      let top = try GoToolchain.pprofTop(file, sampleIndex: index)
      assertSameTop(profile, column: column, top)
    }
    XCTAssertGreaterThanOrEqual(referenceTop(profile, column: 1)["main.large"]?.flat ?? 0, 4096 * 1000)

    let again = dir.appendingPathComponent("again.pb.gz")
    try AtomicFile.write(try PprofEncoder.encode(profile), to: again.path)
    XCTAssertEqual(
      try GoToolchain.pprofTop(again, sampleIndex: "alloc_space"),
      try GoToolchain.pprofTop(file, sampleIndex: "alloc_space"))
    let reread = try PprofDecoder.decode(Array(Data(contentsOf: again)))
    XCTAssertEqual(ProfileSummary(reread).differences(from: ProfileSummary(profile)), [])
  }

  func testGoToolPprofReadsOurSyntheticProfile() throws {
    let dir = try GoToolchain.temporaryDirectory("go-read")
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, profile) in [
      ("rich", FixtureProfiles.rich()), ("random", FixtureProfiles.random(seed: 4, samples: 3000)),
    ] {
      let file = dir.appendingPathComponent("\(name).pb.gz")
      try AtomicFile.write(try PprofEncoder.encode(profile), to: file.path)
      assertSameTop(profile, column: 1, try GoToolchain.pprofTop(file, sampleIndex: "cpu"))
      assertSameTop(profile, column: 0, try GoToolchain.pprofTop(file, sampleIndex: "samples"))
    }
  }

  func testGoToolPprofReadsFoldedStacksWeConverted() throws {
    let dir = try GoToolchain.temporaryDirectory("go-folded")
    defer { try? FileManager.default.removeItem(at: dir) }
    let profile = try FoldedStacksReader.read(
      Array("main;parse;scan 42\nmain;parse 8\nmain;gc 7\nmain;parse;main 2\n".utf8))
    let file = dir.appendingPathComponent("folded.pb.gz")
    try AtomicFile.write(try PprofEncoder.encode(profile), to: file.path)
    let top = try GoToolchain.pprofTop(file)
    assertSameTop(profile, column: 0, top)
    XCTAssertEqual(top["main"], GoToolchain.TopRow(flat: 2, cum: 59))
    XCTAssertEqual(top["scan"], GoToolchain.TopRow(flat: 42, cum: 42))
  }
}

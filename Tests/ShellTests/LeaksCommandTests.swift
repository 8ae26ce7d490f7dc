import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// `leaks` and the memory lines of `summary` on a hand-built heap profile.
final class LeaksCommandTests: XCTestCase {
  /// Three stacks: build_index holds 100 MiB, cache_put 2 MiB, load_rows freed everything.
  static func heapProfile() -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
      ValueType(type: "alloc_objects", unit: "count"), ValueType(type: "alloc_space", unit: "bytes"),
      ValueType(type: "inuse_objects", unit: "count"), ValueType(type: "inuse_space", unit: "bytes"),
    ])
    let mib: Int64 = 1 << 20
    b.addSample(rootFirstNames: ["main", "build_index"], values: [0, 0, 100, 100 * mib, 100, 100 * mib])
    b.addSample(rootFirstNames: ["main", "load_rows"], values: [0, 0, 76_800, 300 * mib, 0, 0])
    b.addSample(rootFirstNames: ["main", "serve", "cache_put"], values: [0, 0, 40, 2 * mib, 40, 2 * mib])
    b.addSample(rootFirstNames: ["main", "load_rows"], values: [3, 3_000_000, 0, 0, 0, 0])
    var p = b.build()
    p.run.command = ["./app"]
    p.run.termination = .exited(0)
    p.run.allocations = AllocationSummary(
      rate: 512 * 1024, processes: 1, sampledAllocations: 901, allocatedBytes: 402 * mib, allocatedObjects: 76_940,
      inUseBytes: 102 * mib, peakInUseBytes: 150 * mib, peakNanos: 31_250_000)
    return p
  }

  private func shell() -> CapturedShell {
    let shell = CapturedShell()
    shell.context.sessions.add(profile: Self.heapProfile(), name: "app", source: .run(command: ["./app"]))
    return shell
  }

  func testLeaksListsHeldStacksLargestFirst() {
    let s = shell()
    XCTAssertEqual(s.runScript("leaks\n").exitStatus, 0, s.stderr)
    XCTAssertEqual(
      s.stdout,
      """
      102.0 MiB in 2 stacks still held at exit (estimated); showing 2, largest first
       100.0 MiB       100 obj  build_index ← main
       2.000 MiB        40 obj  cache_put ← serve ← main

      """)
    XCTAssertEqual(s.runScript("leaks 1 --depth 1\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.hasSuffix(" 100.0 MiB       100 obj  build_index ← …\n"), s.stdout)
  }

  func testLeaksOnASessionWithoutAllocationsSaysHowToGetThem() {
    let s = CapturedShell()
    s.context.sessions.add(profile: AssertTests.sampled(parseMillis: 60), name: "cpu", source: .run(command: ["./app"]))
    XCTAssertEqual(s.runScript("leaks\n").exitStatus, 1)
    XCTAssertTrue(s.stderr.contains("has no allocation data; record it with 'run --alloc CMD'"), s.stderr)
  }

  func testSummaryHasTheMemoryLines() {
    let s = shell()
    XCTAssertEqual(s.runScript("summary\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(
      s.stdout.contains(
        "Allocated: 402.0 MiB in 76,940 objects (estimated from 901 samples, one per 512.0 KiB on average)\n"
          + "In Use at Exit: 102.0 MiB | Peak In Use: 150.0 MiB at 31.25ms | Lost: 0\n"), s.stdout)
  }

  func testTopBySampleIndexReadsTheHeapColumns() {
    let s = shell()
    XCTAssertEqual(s.runScript("top --sample-index inuse_space\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.contains("Showing nodes accounting for 102MB, 100% of 102MB total"), s.stdout)
    XCTAssertFalse(s.stdout.contains("load_rows"), "load_rows holds nothing:\n\(s.stdout)")
  }

  func testLeaksMergesTheSameStackAtOtherAddresses() {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "inuse_objects", unit: "count"), ValueType(type: "inuse_space", unit: "bytes"),
    ])
    let main = b.function("main")
    let leak = b.function("leak")
    for base: UInt64 in [0x1000, 0x7000] {  // two runs, two load addresses
      let frames = [
        b.location(Location(address: base + 0x10, lines: [Line(function: leak)])),
        b.location(Location(address: base + 0x80, lines: [Line(function: main)])),
      ]
      b.addSample(leafFirst: frames, values: [3, 300])
    }
    let s = CapturedShell()
    s.context.sessions.add(profile: b.build(), name: "two", source: .run(command: ["./app"]))
    XCTAssertEqual(s.runScript("leaks\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.hasPrefix("600 B in 1 stack still held at exit"), s.stdout)
    XCTAssertTrue(s.stdout.contains("     600 B         6 obj  leak ← main\n"), s.stdout)
  }

  func testRepeatedRunsSumTheirAllocationTotals() {
    let a = AllocationSummary(
      rate: 1024, processes: 1, sampledAllocations: 10, allocatedBytes: 100, allocatedObjects: 4, inUseBytes: 50,
      peakInUseBytes: 70, peakNanos: 5, lostRecords: 1)
    var b = a
    b.peakInUseBytes = 90
    b.peakNanos = 9
    let m = a.merged(with: b)
    XCTAssertEqual(m.allocatedBytes, 200)
    XCTAssertEqual(m.inUseBytes, 100)
    XCTAssertEqual(m.sampledAllocations, 20)
    XCTAssertEqual(m.peakInUseBytes, 90)
    XCTAssertEqual(m.peakNanos, 9)
    XCTAssertEqual(m.lostRecords, 2)
  }

  func testByteText() {
    XCTAssertEqual(ByteText.string(812), "812 B")
    XCTAssertEqual(ByteText.string(4096), "4.000 KiB")
    XCTAssertEqual(ByteText.string(15 << 20), "15.00 MiB")
    XCTAssertEqual(ByteText.string(1_342_177_280), "1.250 GiB")
  }
}

import Analysis
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

/// Golden output of `compare`: single runs, repeats with verdicts, traced call columns,
/// sort orders, and colour only when asked.
final class CompareRenderingTests: XCTestCase {
  static let types = ProfileFixtures.cpuTypes

  static func profile(_ selfMillis: [String: Int64], elapsed: Int64? = nil, cpu: Int64? = nil) -> Profile {
    ProfileFixtures.selfTimes(selfMillis, elapsed: elapsed, cpu: cpu)
  }

  static func side(_ label: String, _ p: Profile) throws -> CompareSide {
    try CompareSide(label: label, profile: p, samples: p.total(column: 0))
  }

  static var before: Profile { profile(["parse": 100, "scan": 50, "old": 20], elapsed: 200_000_000, cpu: 170_000_000) }
  static var after: Profile { profile(["parse": 130, "scan": 45, "fresh": 5], elapsed: 224_800_000, cpu: 180_000_000) }

  func testSingleRunsGolden() throws {
    let report = CompareReport(try Self.side("[1] before", Self.before), try Self.side("[2] after", Self.after))
    assertSnapshot(CompareRenderer.lines(report).joined(separator: "\n") + "\n", named: "compare-single")
  }

  func testSortByNameGolden() throws {
    let report = CompareReport(
      try Self.side("[1] before", Self.before), try Self.side("[2] after", Self.after),
      options: CompareOptions(sort: .name, thresholdPercent: 15))
    assertSnapshot(CompareRenderer.lines(report).joined(separator: "\n") + "\n", named: "compare-name-threshold")
  }

  func testRepeatsGolden() throws {
    func repeated(_ parse: [Int64], _ scan: [Int64], elapsed: [Int64]) -> Profile {
      var p = Self.profile(
        ["parse": parse.reduce(0, +), "scan": scan.reduce(0, +)], elapsed: nil, cpu: nil)
      p.repeats = (0..<parse.count).map { i in
        RunRepeat(
          elapsedNanos: elapsed[i] * 1_000_000, cpuNanos: (parse[i] + scan[i]) * 1_000_000,
          selfNanos: ["main": 0, "parse": parse[i] * 1_000_000, "scan": scan[i] * 1_000_000])
      }
      return p
    }
    let a = repeated([100, 101, 99, 100, 102], [50, 52, 48, 51, 49], elapsed: [200, 201, 199, 202, 198])
    let b = repeated([150, 149, 151, 152, 150], [51, 49, 50, 52, 48], elapsed: [201, 203, 199, 204, 200])
    let report = CompareReport(try Self.side("[1] base", a), try Self.side("[2] cand", b))
    assertSnapshot(CompareRenderer.lines(report).joined(separator: "\n") + "\n", named: "compare-repeats")
  }

  /// The two sessions of one bench: tested pair by pair (signed-rank), the note says so.
  func testPairedBenchGolden() throws {
    func bench(_ cpu: [Int64], _ work: [Int64]) -> Profile {
      var p = Self.profile(["work": work.reduce(0, +)], elapsed: nil, cpu: nil)
      p.repeats = cpu.indices.map { i in
        var r = RunRepeat(
          elapsedNanos: cpu[i] * 1_100_000, cpuNanos: cpu[i] * 1_000_000, selfNanos: ["work": work[i] * 1_000_000])
        r.benchPair = BenchPair(bench: 1, index: i)
        return r
      }
      return p
    }
    // A shared ±4% swing per pair, B 2% slower in every pair.
    let a = bench([100, 104, 97, 102, 96, 103, 99, 101], [98, 102, 95, 100, 94, 101, 97, 99])
    let b = bench([102, 106, 99, 104, 98, 105, 101, 103], [100, 104, 97, 102, 96, 103, 99, 100])
    let report = CompareReport(try Self.side("[1] base", a), try Self.side("[2] cand", b))
    XCTAssertEqual(report.pairs, 8)
    assertSnapshot(CompareRenderer.lines(report).joined(separator: "\n") + "\n", named: "compare-paired")
  }

  func testTracedGolden() throws {
    var after = ProfileFixtures.traced()
    for (id, s) in after.callStatistics {
      var changed = s
      changed.calls = s.calls * 2
      changed.selfNanos = s.selfNanos * 3 / 2
      after.callStatistics[id] = changed
    }
    let report = CompareReport(
      try Self.side("[1] t1", ProfileFixtures.traced()), try Self.side("[2] t2", after),
      options: CompareOptions(rowLimit: 3))
    assertSnapshot(CompareRenderer.lines(report).joined(separator: "\n") + "\n", named: "compare-traced")
  }

  func testColourOnlyWhenAsked() throws {
    let report = CompareReport(try Self.side("[1] before", Self.before), try Self.side("[2] after", Self.after))
    let plain = CompareRenderer.lines(report).joined(separator: "\n")
    let coloured = CompareRenderer.lines(report, options: RenderOptions(color: true)).joined(separator: "\n")
    XCTAssertFalse(plain.contains("\u{1B}["))
    XCTAssertTrue(coloured.contains("\u{1B}[31m    +30.0%\u{1B}[0m"), "a regression is red")
    XCTAssertTrue(coloured.contains("\u{1B}[32m    -10.0%\u{1B}[0m"), "an improvement is green")
    XCTAssertTrue(coloured.contains("\u{1B}[31m       new\u{1B}[0m"), "a new function is red")
  }
}

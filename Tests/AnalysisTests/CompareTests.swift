import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

/// compare on fixed profiles: per-run values, new / gone, sort orders, thresholds, and
/// significance only when both sides have repeats.
final class CompareTests: XCTestCase {
  static let types = ProfileFixtures.cpuTypes

  static func profile(_ selfMillis: [String: Int64], elapsed: Int64? = nil, cpu: Int64? = nil) -> Profile {
    ProfileFixtures.selfTimes(selfMillis, elapsed: elapsed, cpu: cpu)
  }

  static func side(_ label: String, _ p: Profile) throws -> CompareSide {
    try CompareSide(label: label, profile: p, samples: p.total(column: 0))
  }

  func testRowsAreSortedByAbsoluteDeltaWithNewAndGone() throws {
    let a = Self.profile(["parse": 100, "scan": 50, "old": 20], elapsed: 200_000_000, cpu: 170_000_000)
    let b = Self.profile(["parse": 130, "scan": 45, "fresh": 5], elapsed: 220_000_000, cpu: 180_000_000)
    let report = CompareReport(try Self.side("A", a), try Self.side("B", b))
    XCTAssertEqual(report.rows.map(\.name), ["parse", "old", "fresh", "scan"], "equal |Δ| goes by name")
    XCTAssertEqual(report.rows.first { $0.name == "old" }?.presence, .gone)
    XCTAssertEqual(report.rows.first { $0.name == "fresh" }?.presence, .new)
    XCTAssertEqual(try XCTUnwrap(report.rows[0].relativeChange), 0.3, accuracy: 1e-12)
    XCTAssertEqual(report.evidence, .singleRuns)
    XCTAssertNil(report.rows[0].verdict, "a single run on each side carries no test")
    let elapsed = try XCTUnwrap(report.header.first { $0.name == "Elapsed" })
    XCTAssertEqual(try XCTUnwrap(elapsed.relativeChange), 0.1, accuracy: 1e-12)
  }

  func testRatioAndNameOrdersAndThreshold() throws {
    let a = Self.profile(["parse": 100, "scan": 10, "old": 20])
    let b = Self.profile(["parse": 120, "scan": 15, "fresh": 5])
    let ratio = CompareReport(try Self.side("A", a), try Self.side("B", b), options: CompareOptions(sort: .ratio))
    XCTAssertEqual(ratio.rows.map(\.name), ["fresh", "old", "scan", "parse"])
    let byName = CompareReport(try Self.side("A", a), try Self.side("B", b), options: CompareOptions(sort: .name))
    XCTAssertEqual(byName.rows.map(\.name), ["fresh", "old", "parse", "scan"])
    let threshold = CompareReport(
      try Self.side("A", a), try Self.side("B", b), options: CompareOptions(thresholdPercent: 25, rowLimit: 2))
    XCTAssertEqual(
      threshold.rows.map(\.name), ["old", "fresh"], "parse (+20%) is under the threshold; the limit keeps two")
    XCTAssertEqual(threshold.hiddenRows, 2)
  }

  func testRepeatsAreComparedPerRunWithARankTest() throws {
    func repeated(_ parse: [Int64], elapsed: [Int64]) -> Profile {
      var p = Self.profile(["parse": parse.reduce(0, +), "scan": 10 * Int64(parse.count)])
      p.repeats = zip(parse, elapsed).map { ms, e in
        RunRepeat(
          elapsedNanos: e * 1_000_000, cpuNanos: e * 1_000_000,
          selfNanos: ["parse": ms * 1_000_000, "scan": 10_000_000])
      }
      p.run.elapsedNanos = elapsed.reduce(0, +) / Int64(elapsed.count) * 1_000_000
      return p
    }
    let a = repeated([100, 101, 99, 100, 102], elapsed: [200, 201, 199, 202, 198])
    let b = repeated([150, 149, 151, 152, 150], elapsed: [201, 203, 199, 204, 200])
    let report = CompareReport(try Self.side("A", a), try Self.side("B", b))
    XCTAssertEqual(report.evidence, .repeats(runsA: 5, runsB: 5))
    let parse = try XCTUnwrap(report.rows.first { $0.name == "parse" })
    XCTAssertEqual(parse.a, 100_400_000, "self time per run, not the sum of five runs")
    XCTAssertEqual(parse.verdict?.isSignificant, true)
    let elapsed = try XCTUnwrap(report.header.first { $0.name == "Elapsed" })
    XCTAssertEqual(elapsed.verdict?.isSignificant, false)
    // +0.7% is inside the 1% noise floor: no number of runs would make it significant.
    XCTAssertNil(elapsed.verdict?.repeatsNeeded)
    let noFloor = CompareReport(try Self.side("A", a), try Self.side("B", b), options: CompareOptions(noise: 0))
    let unfloored = try XCTUnwrap(noFloor.header.first { $0.name == "Elapsed" })
    XCTAssertNotNil(unfloored.verdict?.repeatsNeeded)
  }

  func testTracedProfilesCarryCallColumns() throws {
    let traced = ProfileFixtures.traced()
    let report = CompareReport(try Self.side("A", traced), try Self.side("B", traced))
    XCTAssertTrue(report.hasCallColumns)
    let row = try XCTUnwrap(report.rows.first { $0.name == "utils.processCustomTags" })
    XCTAssertEqual(row.callsA, 447_586)
    XCTAssertEqual(row.p95B, 15_000)
    XCTAssertEqual(row.delta, 0)
  }
}

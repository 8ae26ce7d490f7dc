import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

/// compare of a bench's two sessions: runs that ran side by side are tested pair by pair, which
/// removes the load both runs of a pair shared; sessions from different benches are not paired.
final class PairedCompareTests: XCTestCase {
  /// The machine's state per pair: ±6% swings shared by the A and B run of each pair.
  static let machine: [Double] = [1.00, 1.06, 0.97, 1.03, 0.95, 1.05, 0.99, 1.02, 0.96, 1.04]
  /// What is left per run after the shared part: ±0.2%.
  static let own: [Double] = [0.001, -0.002, 0.0, 0.002, -0.001, 0.001, -0.002, 0.002, 0.0, -0.001]

  /// CPU times (ns) of a 100 ms workload per pair, B slower by `slowdown`.
  static func cpu(slowdown: Double) -> (a: [Double], b: [Double]) {
    let a = machine.indices.map { 100e6 * machine[$0] * (1 + own[$0]) }
    let b = machine.indices.map { 100e6 * machine[$0] * (1 + slowdown) * (1 - own[$0]) }
    return (a, b)
  }

  func testPairingFindsA2PercentSlowdownHiddenInSharedLoad() throws {
    let (a, b) = Self.cpu(slowdown: 0.02)
    let unpaired = try XCTUnwrap(CompareVerdict(a, b, alpha: 0.05))
    XCTAssertNil(unpaired.pairs)
    XCTAssertFalse(unpaired.isSignificant, "the ±6% shared swings hide 2% from the unpaired test")
    let paired = try XCTUnwrap(CompareVerdict(a, b, alpha: 0.05, paired: true))
    XCTAssertEqual(paired.pairs, 10)
    XCTAssertTrue(paired.isSignificant)
    XCTAssertEqual(paired.pValue, 0.001953125, accuracy: 1e-15, "all 10 pairs slower: 2 / 2¹⁰")
    let change = try XCTUnwrap(paired.change)
    XCTAssertEqual(change, 0.02, accuracy: 0.003)
    let interval = try XCTUnwrap(paired.interval)
    XCTAssertGreaterThan(interval.lowerBound, 0.01, "clears the 1% floor")
    XCTAssertLessThan(interval.upperBound, 0.03)
  }

  func testPairedAAIsNotSignificantAndFivePairsFallBackToMannWhitney() throws {
    let (a, b) = Self.cpu(slowdown: 0)
    let paired = try XCTUnwrap(CompareVerdict(a, b, alpha: 0.05, paired: true))
    XCTAssertFalse(paired.isSignificant)
    XCTAssertFalse(paired.testRejects)
    let interval = try XCTUnwrap(paired.interval)
    XCTAssertTrue(interval.contains(0))
    let five = try XCTUnwrap(CompareVerdict(Array(a.prefix(5)), Array(b.prefix(5)), alpha: 0.05, paired: true))
    XCTAssertNil(five.pairs, "5 pairs cannot reach p < 0.05 in the signed-rank test")
  }

  /// A function absent from some runs (self time 0) is tested on differences, not ratios.
  func testZeroValuesUseDifferencesOfTheMedian() throws {
    let a: [Double] = [0, 10, 10, 10, 10, 10, 10]
    let b: [Double] = [20, 20, 20, 20, 20, 20, 20]
    let v = try XCTUnwrap(CompareVerdict(a, b, alpha: 0.05, paired: true))
    XCTAssertEqual(v.pairs, 7)
    XCTAssertEqual(try XCTUnwrap(v.change), 1.0, accuracy: 1e-12, "median of Walsh averages 10, A's median 10")
  }

  func testReportPairsOnlyRunsOfTheSameBench() throws {
    let (a, b) = Self.cpu(slowdown: 0.02)
    func session(_ cpu: [Double], bench: UInt64) -> Profile {
      var p = ProfileFixtures.selfTimes(["work": 100], elapsed: 110_000_000, cpu: 100_000_000)
      p.repeats = cpu.enumerated().map { i, c in
        var r = RunRepeat(
          elapsedNanos: Int64(c * 1.1), cpuNanos: Int64(c), selfNanos: ["work": Int64(c)])
        r.benchPair = BenchPair(bench: bench, index: i)
        return r
      }
      return p
    }
    func side(_ p: Profile) throws -> CompareSide { try CompareSide(label: "x", profile: p, samples: 1) }
    let same = CompareReport(try side(session(a, bench: 7)), try side(session(b, bench: 7)))
    XCTAssertEqual(same.pairs, 10)
    let cpu = try XCTUnwrap(same.header.first { $0.name == "CPU Time" }?.verdict)
    XCTAssertEqual(cpu.pairs, 10)
    XCTAssertTrue(cpu.isSignificant)
    XCTAssertEqual(same.rows.first { $0.name == "work" }?.verdict?.pairs, 10, "function rows are paired too")
    let other = CompareReport(try side(session(a, bench: 7)), try side(session(b, bench: 8)))
    XCTAssertEqual(other.pairs, 0)
    XCTAssertNil(other.header.first { $0.name == "CPU Time" }?.verdict?.pairs)
  }
}

import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Analysis

/// Profiles at the edge of the model's value rule (|values| sum to 2^62 − 1) and line numbers
/// at the ends of Int64: every report computes exact numbers instead of trapping (issue 20).
final class ValueLimitAnalysisTests: XCTestCase {
  private static let cpu = ValueType(type: "cpu", unit: "nanoseconds")

  /// A difference profile right at the limit: main;hot gains 2^61, main;cold loses 2^61 − 1.
  private func atLimit() -> Profile {
    var b = ProfileBuilder(sampleTypes: [Self.cpu])
    b.addSample(rootFirstNames: ["main", "hot"], values: [1 << 61])
    b.addSample(rootFirstNames: ["main", "cold"], values: [-((1 << 61) - 1)])
    let p = b.build()
    XCTAssertNil(p.sampleTypePastValueLimit())
    return p
  }

  func testReportsAtTheValueLimitKeepExactTotals() throws {
    let p = atLimit()
    let top = try TopReport(profile: p)
    XCTAssertEqual(top.total, (1 << 62) - 1)
    XCTAssertEqual(top.rows.first { $0.info.name == "hot" }?.flat, 1 << 61)
    XCTAssertEqual(top.rows.first { $0.info.name == "main" }?.cum, 1)
    let tree = try CallTree(profile: p, options: CallTreeOptions(nodeFraction: 0))
    XCTAssertEqual(tree.total, (1 << 62) - 1)
    XCTAssertEqual(tree.rows.first { $0.info.name == "cold" }?.cum, -((1 << 61) - 1))
    let peek = try PeekReport(profile: p, matching: NameMatcher("main"))
    XCTAssertEqual(peek.total, (1 << 62) - 1)
    let heatmap = try Heatmap(profile: p)
    XCTAssertEqual(heatmap.rows.first { $0.name == "hot" }?.cpuNanos, 1 << 61)
  }

  func testCompareOfTwoSessionsNearTheLimit() throws {
    var b = ProfileBuilder(sampleTypes: [Self.cpu])
    b.addSample(rootFirstNames: ["main", "hot"], values: [(1 << 62) - 1])
    let big = b.build()
    var c = ProfileBuilder(sampleTypes: [Self.cpu])
    c.addSample(rootFirstNames: ["main", "hot"], values: [-((1 << 62) - 1)])
    let negative = c.build()
    let a = try CompareSide(label: "[1] a", profile: big, samples: 1)
    let z = try CompareSide(label: "[2] b", profile: negative, samples: 1)
    let report = CompareReport(a, z)
    let hot = report.rows.first { $0.name == "hot" }
    XCTAssertEqual(hot?.a, Double((1 << 62) - 1))
    XCTAssertEqual(hot?.delta, -2 * Double((1 << 62) - 1))
  }

  /// `list` on functions whose lines sit at Int64.max and Int64.min: the ±5 line margin
  /// saturates instead of trapping.
  func testListAtInt64LineNumbers() throws {
    var b = ProfileBuilder(sampleTypes: [Self.cpu])
    let high = b.function("high", file: "high.c")
    let low = b.function("low", file: "low.c")
    b.addSample(leafFirst: [b.location(function: high, line: Int64.max)], values: [7])
    b.addSample(leafFirst: [b.location(function: high, line: Int64.max - 2)], values: [3])
    b.addSample(leafFirst: [b.location(function: low, line: Int64.min)], values: [2])
    b.addSample(leafFirst: [b.location(function: low, line: 1)], values: [1])
    let p = b.build()

    let withoutSource = try SourceListing(profile: p, matching: NameMatcher("."), source: { _ in nil })
    let highRoutine = withoutSource.routines.first { $0.function == "high" }
    XCTAssertEqual(highRoutine?.lines.map(\.number), [Int64.max - 2, Int64.max])
    XCTAssertEqual(highRoutine?.flat, 10)
    let lowRoutine = withoutSource.routines.first { $0.function == "low" }
    XCTAssertEqual(lowRoutine?.lines.map(\.number), [Int64.min, 1])

    let text = (1...8).map { "line \($0)" }
    let withSource = try SourceListing(profile: p, matching: NameMatcher("."), source: { _ in text })
    XCTAssertEqual(
      withSource.routines.first { $0.function == "high" }?.lines, [], "no line of the file is near Int64.max")
    XCTAssertEqual(withSource.routines.first { $0.function == "low" }?.lines.map(\.number), Array(1...6))
  }
}

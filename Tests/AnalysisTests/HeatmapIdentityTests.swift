import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

/// Heatmap rows are keyed by function identity and computed in one pass over the samples;
/// views select a row's functions by id, never by turning its name back into a pattern.
final class HeatmapIdentityTests: XCTestCase {
  /// The one-pass heatmap gives every row the flat that two call graphs (one per column,
  /// joined on names, as the heatmap used to be built) give, under focus, ignore and hide.
  func testOnePassMatchesTheTwoGraphJoinUnderFilters() throws {
    let filters: [ProfileFilter] = [
      .none, try ProfileFilter(focus: "f1"), try ProfileFilter(focus: nil, ignore: "f2"),
      try ProfileFilter(focus: nil, hide: "f3"), try ProfileFilter(focus: "f4", ignore: "f5", hide: "f6"),
    ]
    for seed: UInt64 in [1, 2, 3] {
      let p = FixtureProfiles.random(seed: seed, samples: 3_000)
      for filter in filters {
        let cpu = try CallGraph(profile: p, options: GraphOptions(valueIndex: 1, filter: filter), withEdges: false)
        let count = try CallGraph(profile: p, options: GraphOptions(valueIndex: 0, filter: filter), withEdges: false)
        var expected: [String: (Int64, Int64)] = [:]
        var counts: [String: Int64] = [:]
        for n in count.nodes where n.flat != 0 { counts[n.info.printableName, default: 0] += n.flat }
        for n in cpu.nodes where n.flat != 0 {
          expected[n.info.printableName] = (n.flat, counts[n.info.printableName] ?? 0)
        }
        let h = try Heatmap(profile: p, filter: filter)
        XCTAssertEqual(h.rows.count, expected.count, "seed \(seed)")
        XCTAssertFalse(h.rows.isEmpty)
        for r in h.rows {
          XCTAssertEqual(expected[r.name]?.0, r.cpuNanos, "\(r.name) seed \(seed)")
          XCTAssertEqual(expected[r.name]?.1, r.count, "\(r.name) seed \(seed)")
        }
      }
    }
  }

  /// Two functions of one name (two files) are one row that stands for both; a traced row
  /// stands for its one function.
  func testRowsCarryTheirFunctions() throws {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    let a = b.function("init", file: "a.c")
    let c = b.function("init", file: "c.c")
    let main = b.function("main")
    b.addSample(leafFirst: [b.location(function: a), b.location(function: main)], values: [1, 10])
    b.addSample(leafFirst: [b.location(function: c), b.location(function: main)], values: [2, 20])
    b.addSample(leafFirst: [b.location(function: main)], values: [1, 5])
    let h = try Heatmap(profile: b.build())
    XCTAssertEqual(h.rows.map(\.name), ["init", "main"])
    XCTAssertEqual(h.rows.map(\.functions), [[a, c], [main]])
    XCTAssertEqual(h.rows.map(\.count), [3, 1])
    let traced = try Heatmap(profile: ProfileFixtures.traced())
    XCTAssertTrue(traced.rows.allSatisfy { $0.functions.count == 1 })
    XCTAssertEqual(
      traced.rows.first.map { ProfileFixtures.traced().name(of: $0.functions[0]) }, traced.rows.first?.name)
  }

  /// A name full of regular-expression metacharacters is selected by identity: peek and list
  /// find it and nothing else (the same name as a pattern would match other functions).
  func testPeekAndListSelectByIdentity() throws {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    let op = b.function("operator()<int>", file: "op.cc")
    let other = b.function("operatorX<int>", file: "op.cc")
    let main = b.function("main", file: "main.cc")
    let unused = b.function("operator()<int>", file: "elsewhere.cc", startLine: 1)
    b.addSample(leafFirst: [b.location(function: op, line: 7), b.location(function: main, line: 3)], values: [40])
    b.addSample(leafFirst: [b.location(function: other, line: 9), b.location(function: main, line: 4)], values: [60])
    let p = b.build()
    let peek = try PeekReport(profile: p, functions: [op], named: "operator()<int>")
    XCTAssertEqual(peek.entries.map(\.node.info.name), ["operator()<int>"])
    XCTAssertEqual(peek.entries.first?.callers.map(\.info.name), ["main"])
    let listing = try SourceListing(profile: p, functions: [op], named: "operator()<int>", source: { _ in nil })
    XCTAssertEqual(listing.routines.map(\.function), ["operator()<int>"])
    XCTAssertEqual(listing.routines.first?.lines.filter { $0.flat != 0 }.map(\.number), [7])
    // A function without samples has no node, whatever its name.
    XCTAssertThrowsError(try SourceListing(profile: p, functions: [unused], named: "nowhere", source: { _ in nil })) {
      error in
      XCTAssertEqual(error as? AnalysisError, .noMatches(pattern: "nowhere"))
    }
  }
}

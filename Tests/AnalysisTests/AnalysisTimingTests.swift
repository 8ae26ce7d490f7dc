import Analysis
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

/// Prints how long the reports take on a million samples when `PERFSH_TIMING=1` (run it in a
/// release build: `swift test -c release --filter AnalysisTimingTests`). Nothing is asserted
/// about time; the values are checked so the work cannot be skipped.
final class AnalysisTimingTests: XCTestCase {
  func testMillionSampleTimings() throws {
    guard ProcessInfo.processInfo.environment["PERFSH_TIMING"] == "1" else {
      throw XCTSkip("set PERFSH_TIMING=1 to print timings")
    }
    let profile = ProfileFixtures.synthetic(samples: 1_000_000, stacks: 10_000)
    print("stack nodes: \(profile.stacks.count), locations: \(profile.locations.count)")
    func time<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
      let clock = ContinuousClock()
      var result: T?
      var best = Duration.seconds(1000)
      for _ in 0..<5 {
        let start = clock.now
        result = try body()
        best = min(best, clock.now - start)
      }
      print("\(label): best of 5 = \(best)")
      return result!
    }
    let top = try time("top") { try TopReport(profile: profile) }
    XCTAssertEqual(top.total, 1_000_000_000_000)
    let topLines = try time("top --lines") {
      try TopReport(profile: profile, options: TopOptions(graph: GraphOptions(granularity: .lines)))
    }
    XCTAssertEqual(topLines.rows.count, 10)
    let focus = try ProfileFilter(focus: "fn1[0-9]$", ignore: "fn7", hide: "fn3")
    let filtered = try time("top focus/ignore/hide") {
      try TopReport(profile: profile, options: TopOptions(graph: GraphOptions(filter: focus)))
    }
    XCTAssertGreaterThan(filtered.rows.count, 0)
    let peek = try time("peek") { try PeekReport(profile: profile, matching: NameMatcher("^fn1$")) }
    XCTAssertEqual(peek.entries.count, 1)
    let tree = try time("tree") { try CallTree(profile: profile) }
    XCTAssertGreaterThan(tree.rows.count, 0)
    // Swift Regex against NSRegularExpression, 20k names matched once each (as filters do).
    let names = (0..<20_000).map { "github.com/org/pkg\($0 % 97).(*Type\($0)).Method\($0 % 13)" }
    let matcher = try NameMatcher("pkg1[0-9]\\.\\(\\*Type[0-9]+\\)\\.Method7")
    let swiftHits = time("Swift Regex, 20k names") { names.reduce(0) { $0 + (matcher.matches($1) ? 1 : 0) } }
    let ns = try NSRegularExpression(pattern: matcher.pattern)
    let nsHits = time("NSRegularExpression, 20k names") {
      names.reduce(0) { n, s in n + (ns.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil ? 1 : 0) }
    }
    XCTAssertEqual(swiftHits, nsHits)
    XCTAssertGreaterThan(swiftHits, 0)
    let wide = ProfileFixtures.synthetic(samples: 1_000_000, stacks: 100_000, functions: 50_000)
    print("wide: stack nodes \(wide.stacks.count), functions \(wide.functions.count)")
    let wideTop = try time("top, 50k functions, 100k stacks") { try TopReport(profile: wide) }
    XCTAssertGreaterThan(wideTop.rows.count, 0)
    let wideFocus = try ProfileFilter(focus: "fn1[0-9]+$", ignore: nil, hide: nil)
    _ = try time("top focus, 50k functions") {
      try TopReport(profile: wide, options: TopOptions(graph: GraphOptions(filter: wideFocus)))
    }
    let list = try time("list") { try SourceListing(profile: profile, matching: NameMatcher("^fn2$")) { _ in nil } }
    XCTAssertEqual(list.routines.count, 1)
  }
}

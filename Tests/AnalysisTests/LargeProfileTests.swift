import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

/// A million samples over ten thousand stacks: totals must be exact (time is not asserted).
final class LargeProfileTests: XCTestCase {
  func testMillionSampleTotals() throws {
    let profile = ProfileFixtures.synthetic(samples: 1_000_000, stacks: 10_000)
    XCTAssertEqual(profile.samples.count, 1_000_000)
    let graph = try CallGraph(profile: profile, options: GraphOptions(valueIndex: 0))
    XCTAssertEqual(graph.total, 1_000_000)
    XCTAssertEqual(graph.flatSum, 1_000_000)
    // fn0 is the root of every stack: its cum is every sample, counted once.
    let root = try XCTUnwrap(graph.nodes.first { $0.info.name == "fn0" })
    XCTAssertEqual(root.cum, 1_000_000)
    // Cross-check flat and cum of every node against a naive per-sample computation.
    var flat: [String: Int64] = [:]
    var cum: [String: Int64] = [:]
    var perStack: [StackID: Int64] = [:]
    for s in profile.samples.stacks { perStack[s, default: 0] += 1 }
    for (stack, count) in perStack {
      var seen = Set<String>()
      let frames = profile.stacks.frames(leafFirst: stack)
      for (i, loc) in frames.enumerated() {
        let name = profile.name(of: profile.location(loc).lines[0].function)
        if i == 0 { flat[name, default: 0] += count }
        if seen.insert(name).inserted { cum[name, default: 0] += count }
      }
    }
    XCTAssertEqual(graph.nodes.count, cum.count)
    for n in graph.nodes {
      XCTAssertEqual(n.flat, flat[n.info.name] ?? 0, "flat of \(n.info.name)")
      XCTAssertEqual(n.cum, cum[n.info.name] ?? 0, "cum of \(n.info.name)")
    }
    let top = try TopReport(profile: profile, options: TopOptions(graph: GraphOptions(valueIndex: 1), nodeCount: 10))
    XCTAssertEqual(top.total, 1_000_000 * 1_000_000)
    XCTAssertEqual(top.rows.count, 10)
    let tree = try CallTree(profile: profile, options: CallTreeOptions(maxDepth: 3))
    XCTAssertEqual(tree.rows.first?.cum, 1_000_000_000_000)
  }
}

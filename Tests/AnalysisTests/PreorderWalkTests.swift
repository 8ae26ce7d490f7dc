import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Analysis

/// The walk over a tree stored in depth-first order (as the pprof loader builds it) visits
/// nothing through child lists; it must give every report the same numbers as the walk over
/// the same stacks interned in any order.
final class PreorderWalkTests: XCTestCase {
  /// `p` with its stack tree rebuilt from the samples' stacks in lexicographic order (root
  /// first), so node indices are a depth-first order.
  private func preorderCopy(_ p: Profile) -> Profile {
    let n = p.samples.count
    let stacks = (0..<n).map { Array(p.stacks.frames(leafFirst: p.samples.stacks[$0]).reversed().map(\.raw)) }
    let order = (0..<n).sorted { stacks[$0].lexicographicallyPrecedes(stacks[$1]) }
    var tree = StackTree()
    var leaves = [StackID](repeating: .root, count: n)
    for s in order { leaves[s] = tree.intern(rootFirst: stacks[s].map { LocationID($0) }) }
    var q = p
    q.stacks = tree
    var values: [Int64] = []
    for s in 0..<n { for c in 0..<p.samples.width { values.append(p.samples.value(s, c)) } }
    q.samples = SampleTable(
      width: p.samples.width, stacks: leaves, labelSets: (0..<n).map { p.samples.labelSets[$0] }, values: values)
    return q
  }

  private func graphByName(_ g: CallGraph) -> [String: [Int64]] {
    var out: [String: [Int64]] = [:]
    for node in g.nodes { out[node.info.printableName] = [node.flat, node.cum] }
    for e in g.edges {
      out["\(g.nodes[e.caller].info.printableName) -> \(g.nodes[e.callee].info.printableName)"] = [
        e.weight, e.isInline ? 1 : 0,
      ]
    }
    return out
  }

  func testPreorderIsRecognisedAndRejected() {
    XCTAssertTrue(StackWeights.isPreorder([0, 0, 1, 2, 1, 0, 5]))
    // Node 3's parent (1) is left when node 2 (a child of 0) comes.
    XCTAssertFalse(StackWeights.isPreorder([0, 0, 0, 1]))
    XCTAssertTrue(StackWeights.isPreorder([0]))
  }

  func testReportsAreEqualOnBothWalks() throws {
    // Random stacks with recursion, interned in random order: not depth-first.
    let shuffled = ProfileFixtures.synthetic(samples: 20_000, stacks: 3_000, functions: 60, seed: 7)
    let sorted = preorderCopy(shuffled)
    let column = shuffled.defaultValueIndex
    XCTAssertFalse(StackWeights(profile: shuffled, column: column, masks: nil, hasFocus: false).isPreorder)
    XCTAssertTrue(StackWeights(profile: sorted, column: column, masks: nil, hasFocus: false).isPreorder)
    XCTAssertEqual(graphByName(try CallGraph(profile: shuffled)), graphByName(try CallGraph(profile: sorted)))
    let filter = GraphOptions(filter: try ProfileFilter(focus: "fn1", ignore: "fn2$"))
    XCTAssertEqual(
      graphByName(try CallGraph(profile: shuffled, options: filter)),
      graphByName(try CallGraph(profile: sorted, options: filter)))
    // The fixture with inline frames and recursion is depth-first as built: its hand-computed
    // numbers (CallGraphTests) come from the walk without child lists.
    let cpu = ProfileFixtures.cpu()
    XCTAssertTrue(StackWeights(profile: cpu, column: cpu.defaultValueIndex, masks: nil, hasFocus: false).isPreorder)
  }
}

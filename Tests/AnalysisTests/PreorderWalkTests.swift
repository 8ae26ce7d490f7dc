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

  /// A difference profile (negative values, sibling stacks that cancel in their caller) gives
  /// the same graph on both walks: the preorder one reads own values from its sparse list and
  /// marks reached nodes by their samples, not by a zero subtree.
  func testDifferenceProfilesAreEqualOnBothWalks() throws {
    let base = ProfileFixtures.synthetic(samples: 6_000, stacks: 900, functions: 40, seed: 11)
    var values: [Int64] = []
    for s in 0..<base.samples.count {
      for c in 0..<base.samples.width {
        let v = base.samples.value(s, c)
        values.append(s % 3 == 0 ? -v : v)
      }
    }
    var shuffled = base
    shuffled.samples = SampleTable(
      width: base.samples.width, stacks: (0..<base.samples.count).map { base.samples.stacks[$0] },
      labelSets: (0..<base.samples.count).map { base.samples.labelSets[$0] }, values: values)
    // Two sibling leaves under one caller with opposite values: the caller's subtree is 0.
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    // Interned in this order, `down` comes after `other` left `caller`'s subtree: not depth-first.
    b.addSample(rootFirstNames: ["main", "caller", "up"], values: [5])
    b.addSample(rootFirstNames: ["main", "other"], values: [2])
    b.addSample(rootFirstNames: ["main", "caller", "down"], values: [-5])
    let cancelling = b.profile
    for p in [shuffled, cancelling] {
      let sorted = preorderCopy(p)
      let column = p.defaultValueIndex
      XCTAssertFalse(StackWeights(profile: p, column: column, masks: nil, hasFocus: false).isPreorder)
      XCTAssertTrue(StackWeights(profile: sorted, column: column, masks: nil, hasFocus: false).isPreorder)
      let graph = graphByName(try CallGraph(profile: sorted))
      XCTAssertEqual(graphByName(try CallGraph(profile: p)), graph)
      if p.samples.count == 3 {
        XCTAssertEqual(graph["up"], [5, 5])
        XCTAssertEqual(graph["down"], [-5, -5])
        XCTAssertEqual(graph["other"], [2, 2])
      }
    }
  }
}

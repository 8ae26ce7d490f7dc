import PerfshTestSupport
import ProfileModel
import XCTest

final class StackTreeTests: XCTestCase {
  func testSharedPrefixesAreStoredOnce() {
    var tree = StackTree()
    let a = LocationID(0)
    let b = LocationID(1)
    let c = LocationID(2)
    let abc = tree.intern(rootFirst: [a, b, c])
    let ab = tree.intern(rootFirst: [a, b])
    let abAgain = tree.intern(leafFirst: [b, a])
    XCTAssertEqual(ab, abAgain)
    XCTAssertEqual(tree.parent(of: abc), ab)
    XCTAssertEqual(tree.count, 4, "root + a + ab + abc")
    XCTAssertEqual(tree.frames(leafFirst: abc), [c, b, a])
    XCTAssertEqual(tree.depth(of: abc), 3)
    XCTAssertEqual(tree.intern(rootFirst: []), .root)
  }

  func testDroppedLookupIndexIsRebuiltWhenInterningResumes() {
    var tree = StackTree()
    let abc = tree.intern(rootFirst: [LocationID(0), LocationID(1), LocationID(2)])
    tree.dropLookupIndex()
    XCTAssertEqual(tree.frames(leafFirst: abc), [LocationID(2), LocationID(1), LocationID(0)])
    XCTAssertEqual(tree.intern(rootFirst: [LocationID(0), LocationID(1), LocationID(2)]), abc, "no duplicate nodes")
    XCTAssertEqual(tree.count, 4)
    _ = tree.intern(rootFirst: [LocationID(0), LocationID(9)])
    XCTAssertEqual(tree.count, 5)
  }

  func testDifferentParentsGiveDifferentNodes() {
    var tree = StackTree()
    let x = tree.intern(rootFirst: [LocationID(0), LocationID(5)])
    let y = tree.intern(rootFirst: [LocationID(1), LocationID(5)])
    XCTAssertNotEqual(x, y)
    XCTAssertEqual(tree.location(of: x), tree.location(of: y))
  }

  func testForEachFrameWalksLeafToRoot() {
    var tree = StackTree()
    let node = tree.intern(rootFirst: (0..<50).map { LocationID($0) })
    var seen: [Int] = []
    tree.forEachFrame(leafFirst: node) { seen.append($0.index) }
    XCTAssertEqual(seen, Array((0..<50).reversed()))
  }

  /// A million samples over ten thousand distinct stacks: the tree holds only the distinct
  /// nodes, and sample storage is a few words per sample.
  func testMillionSamplesOverTenThousandStacksStayCompact() {
    var builder = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    var leaves: [StackID] = []
    let functions = (0..<1000).map { builder.location(function: builder.function("f\($0)")) }
    var rng = SplitMix64(seed: 42)
    for _ in 0..<10_000 {
      let depth = 5 + Int(rng.next() % 20)
      let frames = (0..<depth).map { _ in functions[Int(rng.next() % 1000)] }
      leaves.append(builder.withProfile { $0.stacks.intern(rootFirst: frames) })
    }
    let nodes = builder.profile.stacks.count
    for i in 0..<1_000_000 {
      builder.addSample(stack: leaves[i % leaves.count], values: [1])
    }
    let profile = builder.build()
    XCTAssertEqual(profile.samples.count, 1_000_000)
    XCTAssertEqual(profile.stacks.count, nodes, "samples must not add stack nodes")
    XCTAssertLessThan(nodes, 10_000 * 25 + 1)
    XCTAssertEqual(profile.total(column: 0), 1_000_000)
    // Per sample: one StackID (4 bytes), one LabelSetID (4 bytes), one Int64 value.
    let bytesPerSample = MemoryLayout<StackID>.stride + MemoryLayout<LabelSetID>.stride + 8
    XCTAssertEqual(bytesPerSample, 16)
  }

  func testTreeFromColumnsKeepsNodesAndInternsOnTop() throws {
    var built = StackTree()
    let a = built.intern(rootFirst: [LocationID(0), LocationID(1)])
    let b = built.intern(rootFirst: [LocationID(0), LocationID(2)])
    var copy = try XCTUnwrap(StackTree(parents: Array(built.parents), locations: Array(built.locations)))
    XCTAssertEqual((0..<copy.count).map { copy.depth(of: StackID($0)) }, [0, 1, 2, 2])
    XCTAssertEqual(copy.frames(leafFirst: b), [LocationID(2), LocationID(0)])
    // Interning after loading finds the existing nodes (the index is built on demand).
    XCTAssertEqual(copy.intern(rootFirst: [LocationID(0), LocationID(1)]), a)
    XCTAssertEqual(copy.count, built.count)
    // A parent that is not an earlier node, or a root that is not its own parent, is refused.
    XCTAssertNil(StackTree(parents: [.root, StackID(Int32(1))], locations: [LocationID(Int32(-1)), LocationID(0)]))
    XCTAssertNil(StackTree(parents: [StackID(Int32(1))], locations: [LocationID(0)]))
    XCTAssertNil(StackTree(parents: [.root], locations: []))
  }
}

import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

final class FlameGraphTests: XCTestCase {
  /// (depth, name, start, cum, self) of every node, in order.
  func shape(_ g: FlameGraph) -> [String] {
    g.nodes.indices.map { i in
      let n = g.nodes[i]
      return "\(n.depth) \(g.name(i)) \(n.start)+\(n.cum) self \(n.selfValue)"
    }
  }

  func testNodesByNameHaveExactWidthsAndOffsets() throws {
    let g = try FlameGraph(profile: ProfileFixtures.cpu(), options: FlameOptions(graph: GraphOptions(valueIndex: 0)))
    XCTAssertEqual(
      shape(g),
      [
        "0 main 0+110 self 1",
        "1 line1000 0+3 self 0",
        "2 memcpy 0+3 self 3",
        "1 line3000 3+106 self 0",
        "2 line2000 3+101 self 0",
        "3 line2001 3+101 self 1",
        "4 line1000 3+100 self 100",
        "2 line3001 104+5 self 0",
        "3 line3000 104+5 self 5",
      ])
    XCTAssertEqual(g.total, 110)
    XCTAssertEqual(g.reportTotal, 110)
    XCTAssertEqual(g.depthCount, 5)
    XCTAssertEqual(g.children(of: 0), [1, 3])
    XCTAssertEqual(g.children(of: -1), [0])
    XCTAssertEqual(g.ancestry(of: 6), [0, 3, 4, 5, 6])
    // Each node's children fit inside it: widths add up to cum minus self.
    for i in g.nodes.indices {
      let kids = g.children(of: i).map { g.nodes[$0].cum }.reduce(0, +)
      XCTAssertEqual(kids + g.nodes[i].selfValue, g.nodes[i].cum, g.name(i))
    }
  }

  func testWeightOrderPutsHeavierSiblingsFirst() throws {
    let g = try FlameGraph(
      profile: ProfileFixtures.cpu(), options: FlameOptions(graph: GraphOptions(valueIndex: 0), sort: .weight))
    XCTAssertEqual(g.children(of: 0).map { g.name($0) }, ["line3000", "line1000"])
    XCTAssertEqual(g.nodes[1].start, 0)
    XCTAssertEqual(g.nodes[1].cum, 106)
    XCTAssertEqual(g.sort, .weight)
  }

  func testDepthLimitRootExpressionAndFilters() throws {
    let limited = try FlameGraph(
      profile: ProfileFixtures.cpu(), options: FlameOptions(graph: GraphOptions(valueIndex: 0), maxDepth: 2))
    XCTAssertEqual(limited.nodes.map(\.depth).max(), 1)
    XCTAssertEqual(limited.depthHidden, 6)
    let rooted = try FlameGraph(
      profile: ProfileFixtures.cpu(),
      options: FlameOptions(graph: GraphOptions(valueIndex: 0), root: NameMatcher("^line2000$")))
    XCTAssertEqual(shape(rooted), ["0 line2000 0+101 self 0", "1 line2001 0+101 self 1", "2 line1000 0+100 self 100"])
    XCTAssertEqual(rooted.total, 101)
    let filter = try ProfileFilter(focus: "memcpy", hide: "line1000")
    let focused = try FlameGraph(
      profile: ProfileFixtures.cpu(), options: FlameOptions(graph: GraphOptions(valueIndex: 1, filter: filter)))
    XCTAssertEqual(shape(focused), ["0 main 0+30000000 self 0", "1 memcpy 0+30000000 self 30000000"])
    XCTAssertEqual(focused.reportTotal, 1_100_000_000)
  }

  func testModulesComeFromMappings() throws {
    let g = try FlameGraph(profile: ProfileFixtures.cpu())
    let modules = Dictionary(g.frames.map { ($0.name, $0.module) }, uniquingKeysWith: { a, _ in a })
    XCTAssertEqual(modules["main"], .user)
    XCTAssertEqual(modules["memcpy"], .library)
    XCTAssertEqual(FrameModule(mappingFile: "[kernel.kallsyms]"), .kernel)
    XCTAssertEqual(FrameModule(mappingFile: "/tmp/perf-4242.map"), .jit)
    XCTAssertEqual(FrameModule(mappingFile: "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30"), .library)
    XCTAssertEqual(FrameModule(mappingFile: "/home/me/build/parser"), .user)
    XCTAssertEqual(FrameModule(mappingFile: ""), .unknown)
  }

  func testThinSiblingsMergeWithACount() throws {
    // f0 … f19 under main with values 1 … 20: total 210.
    let g = try FlameGraph(
      profile: ProfileFixtures.fanOut(20), options: FlameOptions(graph: GraphOptions(valueIndex: 0)))
    XCTAssertEqual(g.total, 210)
    let layout = FlameLayout(graph: g, minimumWidth: 15)
    let own = layout.boxes.filter { $0.node != nil }
    // main and f14 … f19 (values 15 … 20) are wide enough.
    XCTAssertEqual(own.count, 7)
    XCTAssertEqual(own.allSatisfy { g.nodes[$0.node!].cum >= 15 }, true)
    let merged = layout.boxes.filter { $0.node == nil }
    // Names sort f0, f1, f10 … f19, f2 …: thin runs between wide ones merge.
    XCTAssertEqual(merged.map(\.mergedFrames).reduce(0, +) + layout.hiddenFrames, 14)
    for box in merged { XCTAssertGreaterThanOrEqual(box.width, 15) }
    // Widths of boxes of one level never exceed their parent's.
    XCTAssertEqual(layout.boxes.filter { $0.depth == 1 }.map(\.width).reduce(0, +) + layout.hiddenWidth(g), 210)
  }

  func testZoomedLayoutShowsCallersFullWidth() throws {
    let g = try FlameGraph(profile: ProfileFixtures.cpu(), options: FlameOptions(graph: GraphOptions(valueIndex: 0)))
    let layout = FlameLayout(graph: g, minimumWidth: 1, zoom: 4)  // line2000
    XCTAssertEqual(layout.viewStart, 3)
    XCTAssertEqual(layout.viewWidth, 101)
    XCTAssertEqual(layout.boxes.map { $0.node ?? -1 }, [0, 3, 4, 5, 6])
    XCTAssertEqual(layout.boxes[0].width, 101)
  }

  func testDifferentialColoursOnlyTheChangedFrame() throws {
    func profile(f: Int64, g: Int64) -> Profile {
      var b = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes)
      let main = b.location(function: b.function("main"))
      let lf = b.location(function: b.function("f"))
      let lg = b.location(function: b.function("g"))
      b.addSample(leafFirst: [lf, main], values: [f, f * 1_000_000])
      b.addSample(leafFirst: [lg, main], values: [g, g * 1_000_000])
      return b.build()
    }
    let a = try FlameGraph(profile: profile(f: 100, g: 100))
    let b = try FlameGraph(profile: profile(f: 120, g: 100))
    let single = FlameDiff(a: a, b: b, runsA: 1, runsB: 1)
    let f = b.nodes.indices.first { b.name($0) == "f" }!
    let g = b.nodes.indices.first { b.name($0) == "g" }!
    XCTAssertFalse(single.qualified)
    XCTAssertEqual(single.shade[f], 1)
    XCTAssertNil(single.shade[g])
    XCTAssertEqual(single.delta[f], 20_000_000)
    // Five repeats per side: f is 20 % slower in each, g varies around the same value.
    let noise: [Int64] = [-2, 1, 0, 2, -1]
    let ms: Int64 = 1_000_000
    let runsA = noise.map { ["main": 0, "f": (20 + $0) * ms, "g": (20 - $0) * ms] }
    let runsB = noise.map { ["main": 0, "f": (24 + $0) * ms, "g": (20 + $0) * ms] }
    let qualified = FlameDiff(a: a, b: b, runsA: 5, runsB: 5, repeatsA: runsA, repeatsB: runsB)
    XCTAssertTrue(qualified.qualified)
    XCTAssertEqual(qualified.significantFunctions, ["f"])
    XCTAssertEqual(qualified.colouredFrames, 1)
    XCTAssertEqual(qualified.shade[f], 1)
    XCTAssertNil(qualified.shade[g])
    // A faster frame is blue (negative shade).
    let faster = FlameDiff(a: b, b: a, runsA: 1, runsB: 1)
    XCTAssertEqual(faster.shade[a.nodes.indices.first { a.name($0) == "f" }!], -1)
  }
}

extension FlameLayout {
  /// Width at level 1 left out (merged runs too thin to draw), for the test's bookkeeping.
  func hiddenWidth(_ g: FlameGraph) -> Int64 {
    let drawn = Set(boxes.compactMap(\.node))
    let mergedWidth = boxes.filter { $0.node == nil && $0.depth == 1 }.map(\.width).reduce(0, +)
    let children = g.children(of: 0)
    let thin = children.filter { !drawn.contains($0) }.map { g.nodes[$0].cum }.reduce(0, +)
    return thin - mergedWidth
  }
}

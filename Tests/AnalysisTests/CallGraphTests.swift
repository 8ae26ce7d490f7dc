import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

/// Flat and cum computed by hand for `ProfileFixtures.cpu()` (see its doc comment).
final class CallGraphTests: XCTestCase {
  let ms: Int64 = 1_000_000

  func values(_ graph: CallGraph) -> [String: (flat: Int64, cum: Int64)] {
    var out: [String: (flat: Int64, cum: Int64)] = [:]
    for n in graph.nodes { out[n.info.printableName] = (n.flat, n.cum) }
    return out
  }

  func assertNode(
    _ v: [String: (flat: Int64, cum: Int64)], _ name: String, flat: Int64, cum: Int64,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    guard let got = v[name] else { return XCTFail("no node \(name) in \(v.keys.sorted())", file: file, line: line) }
    XCTAssertEqual(got.flat, flat, "flat of \(name)", file: file, line: line)
    XCTAssertEqual(got.cum, cum, "cum of \(name)", file: file, line: line)
  }

  func testFunctionsFlatAndCumWithRecursionCountedOnce() throws {
    let graph = try CallGraph(profile: ProfileFixtures.cpu())
    XCTAssertEqual(graph.valueType.type, "cpu", "default value column is the last one")
    XCTAssertEqual(graph.total, 1100 * ms)
    let v = values(graph)
    XCTAssertEqual(v.count, 7)
    assertNode(v, "main", flat: 10 * ms, cum: 1100 * ms)
    // line3000 appears twice in the recursive sample; cum counts that sample once.
    assertNode(v, "line3000", flat: 50 * ms, cum: 1060 * ms)
    assertNode(v, "line3001", flat: 0, cum: 50 * ms)
    assertNode(v, "line2000", flat: 0, cum: 1010 * ms)
    // The inlined frame is a frame of its own and is the leaf of the second sample.
    assertNode(v, "line2001", flat: 10 * ms, cum: 1010 * ms)
    assertNode(v, "line1000", flat: 1000 * ms, cum: 1030 * ms)
    assertNode(v, "memcpy", flat: 30 * ms, cum: 30 * ms)
    XCTAssertEqual(graph.flatSum, graph.total)
  }

  func testInlineMarkers() throws {
    let graph = try CallGraph(profile: ProfileFixtures.cpu())
    let kinds = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.info.name, $0.inline) })
    XCTAssertEqual(kinds["line2001"], .inlined)
    XCTAssertEqual(kinds["line2000"], .notInlined)
    XCTAssertEqual(kinds["line1000"], .notInlined)
  }

  func testEdgesAreCountedOncePerSample() throws {
    let graph = try CallGraph(profile: ProfileFixtures.cpu())
    func edge(_ a: String, _ b: String) -> GraphEdge? {
      graph.edges.first { graph.nodes[$0.caller].info.name == a && graph.nodes[$0.callee].info.name == b }
    }
    XCTAssertEqual(edge("main", "line3000")?.weight, 1060 * ms)
    XCTAssertEqual(edge("line3000", "line3001")?.weight, 50 * ms)
    XCTAssertEqual(edge("line3001", "line3000")?.weight, 50 * ms)
    XCTAssertEqual(edge("line2000", "line2001")?.isInline, true)
    XCTAssertEqual(edge("line3000", "line2000")?.isInline, false)
    XCTAssertEqual(edge("line2001", "line1000")?.weight, 1000 * ms)
    XCTAssertNil(edge("line2000", "line1000"), "the call to line1000 leaves the inlined frame")
  }

  func testSampleIndexByNameAndNumber() throws {
    let p = ProfileFixtures.cpu()
    XCTAssertEqual(try p.valueIndex(for: "samples"), 0)
    XCTAssertEqual(try p.valueIndex(for: "1"), 1)
    XCTAssertEqual(try p.valueIndex(for: nil), 1)
    XCTAssertThrowsError(try p.valueIndex(for: "alloc_space")) { error in
      XCTAssertEqual(error as? AnalysisError, .unknownSampleType("alloc_space", available: ["samples", "cpu"]))
    }
    XCTAssertThrowsError(try p.valueIndex(for: "7"))
    let graph = try CallGraph(profile: p, options: GraphOptions(valueIndex: 0))
    XCTAssertEqual(graph.total, 110)
    let v = values(graph)
    assertNode(v, "line1000", flat: 100, cum: 103)
    assertNode(v, "line3000", flat: 5, cum: 106)
  }

  func testLineGranularity() throws {
    let graph = try CallGraph(profile: ProfileFixtures.cpu(), options: GraphOptions(granularity: .lines))
    let v = values(graph)
    assertNode(v, "line2001 file2000.src:9", flat: 10 * ms, cum: 1010 * ms)
    assertNode(v, "line2000 file2000.src:4", flat: 0, cum: 1010 * ms)
    assertNode(v, "line3000 file3000.src:6", flat: 50 * ms, cum: 1060 * ms)
    assertNode(v, "main main.c:5", flat: 10 * ms, cum: 1100 * ms)
    assertNode(v, "memcpy", flat: 30 * ms, cum: 30 * ms)
  }

  func testFileGranularityMergesFramesOfOneFile() throws {
    let graph = try CallGraph(profile: ProfileFixtures.cpu(), options: GraphOptions(granularity: .files))
    let v = values(graph)
    XCTAssertEqual(v.count, 5)
    // line2000 and its inlined line2001 are one node: cum counted once.
    assertNode(v, "file2000.src", flat: 10 * ms, cum: 1010 * ms)
    assertNode(v, "file3000.src", flat: 50 * ms, cum: 1060 * ms)
    assertNode(v, "file1000.src", flat: 1000 * ms, cum: 1030 * ms)
    assertNode(v, "main.c", flat: 10 * ms, cum: 1100 * ms)
    assertNode(v, "<unknown>", flat: 30 * ms, cum: 30 * ms)
  }

  func testAddressGranularity() throws {
    let graph = try CallGraph(profile: ProfileFixtures.cpu(), options: GraphOptions(granularity: .addresses))
    let v = values(graph)
    assertNode(v, "0000000000002010 line2001 file2000.src:9", flat: 10 * ms, cum: 1010 * ms)
    assertNode(v, "000000007f000010 memcpy", flat: 30 * ms, cum: 30 * ms)
  }

  func testUnsymbolizedFramesGroupByObjectFile() throws {
    let v = values(try CallGraph(profile: ProfileFixtures.unsymbolized()))
    assertNode(v, "[libfoo.so]", flat: 10, cum: 10)
    assertNode(v, "[libbar.so]", flat: 2, cum: 2)
    assertNode(v, "main", flat: 0, cum: 10)
    let a = values(
      try CallGraph(profile: ProfileFixtures.unsymbolized(), options: GraphOptions(granularity: .addresses)))
    assertNode(a, "0000000000001010 [libfoo.so]", flat: 7, cum: 7)
  }

  func testEmptyProfile() throws {
    let p = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes).build()
    let graph = try CallGraph(profile: p)
    XCTAssertEqual(graph.nodes.count, 0)
    XCTAssertEqual(graph.total, 0)
  }
}

/// File names are cleaned like Go's `filepath.Clean` before they name nodes.
final class FileNameTests: XCTestCase {
  func testFilesThatCleanToTheSamePathAreOneNode() throws {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let a = b.location(function: b.function("a", file: "./src/x.c"), line: 3)
    let c = b.location(function: b.function("c", file: "src//lib/../x.c"), line: 4)
    b.addSample(leafFirst: [a], values: [2])
    b.addSample(leafFirst: [c], values: [5])
    let graph = try CallGraph(profile: b.build(), options: GraphOptions(granularity: .files))
    XCTAssertEqual(graph.nodes.map(\.info.file), ["src/x.c"])
    XCTAssertEqual(graph.nodes.first?.flat, 7)
    let lines = try CallGraph(profile: b.build(), options: GraphOptions(granularity: .lines))
    XCTAssertEqual(Set(lines.nodes.map(\.info.printableName)), ["a src/x.c:3", "c src/x.c:4"])
  }
}

final class CleanPathTests: XCTestCase {
  func testGoCleanExamples() throws {
    // Table from Go's path/filepath tests.
    let cases = [
      ("abc", "abc"), ("abc/def", "abc/def"), ("a/b/c", "a/b/c"), (".", "."), ("..", ".."),
      ("../..", "../.."), ("../../abc", "../../abc"), ("/abc", "/abc"), ("/", "/"), ("", "."),
      ("abc/", "abc"), ("/abc/", "/abc"), ("abc//def//ghi", "abc/def/ghi"), ("//abc", "/abc"),
      ("abc/./def", "abc/def"), ("/./abc/def", "/abc/def"), ("abc/.", "abc"),
      ("abc/def/ghi/../jkl", "abc/def/jkl"), ("abc/def/../ghi/../jkl", "abc/jkl"), ("abc/def/..", "abc"),
      ("abc/def/../..", "."), ("/abc/def/../..", "/"), ("abc/def/../../..", ".."),
      ("/abc/def/../../..", "/"), ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"), ("/../abc", "/abc"),
      ("abc/./../def", "def"), ("abc//./../def", "def"), ("abc/../../././../def", "../../def"),
    ]
    for (input, want) in cases {
      var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
      b.addSample(leafFirst: [b.location(function: b.function("f", file: input))], values: [1])
      let g = try CallGraph(profile: b.build(), options: GraphOptions(granularity: .files))
      XCTAssertEqual(g.nodes.first?.info.file, input.isEmpty ? "" : want, "clean(\(input))")
    }
  }
}

/// Difference profiles carry negative values; nothing may cancel out of the walk.
final class NegativeValueTests: XCTestCase {
  func testSubtreesThatSumToZeroAreStillWalked() throws {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    b.addSample(rootFirstNames: ["main", "a"], values: [5])
    b.addSample(rootFirstNames: ["main", "b"], values: [-5])
    let graph = try CallGraph(profile: b.build())
    XCTAssertEqual(graph.total, 10, "pprof's total sums absolute values")
    let v = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.info.name, ($0.flat, $0.cum)) })
    XCTAssertEqual(v["a"]?.0, 5)
    XCTAssertEqual(v["b"]?.0, -5)
    XCTAssertNil(v["main"], "flat 0 and cum 0: left out, as pprof does")
    let top = TopReport(graph: graph, options: TopOptions())
    XCTAssertEqual(top.rows.map(\.info.name), ["a", "b"])
  }
}

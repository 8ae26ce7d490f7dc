import Analysis
import Foundation
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The frames of an SVG as an XML parser sees them: each `<g class="f">`'s attributes with its rect's.
final class SVGFrames: NSObject, XMLParserDelegate {
  struct Frame {
    var attributes: [String: String]
    var rect: [String: String] = [:]
    var label = ""
  }
  var frames: [Frame] = []
  var elements: [String: Int] = [:]
  var inFrame = false
  var inLabel = false
  var rows: [[String: String]] = []

  /// Parses `text`; nil when it is not well-formed XML.
  static func parse(_ text: String) -> SVGFrames? {
    let collector = SVGFrames()
    let parser = XMLParser(data: Data(text.utf8))
    parser.delegate = collector
    return parser.parse() ? collector : nil
  }

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    elements[name, default: 0] += 1
    if name == "g", attributes["class"] == "f" {
      frames.append(Frame(attributes: attributes))
      inFrame = true
    } else if name == "g", attributes["class"] == "row" {
      rows.append(attributes)
    } else if name == "rect", inFrame {
      frames[frames.count - 1].rect = attributes
    } else if name == "text", inFrame {
      inLabel = true
    } else if name == "rect", !rows.isEmpty {
      rows[rows.count - 1]["fill"] = attributes["fill"]
      rows[rows.count - 1]["width"] = attributes["width"]
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if inLabel { frames[frames.count - 1].label += string }
  }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    if name == "text" { inLabel = false }
    if name == "g" { inFrame = false }
  }
}

final class SVGFlameGraphTests: XCTestCase {
  func testWellFormedWithOneRectPerNodeAboveTheMinimumWidth() throws {
    let profile = ProfileFixtures.synthetic(samples: 20_000, stacks: 2_000)
    let g = try FlameGraph(profile: profile)
    let svg = SVGFlameGraph.render(g, options: SVGFlameOptions(title: "t"))
    let parsed = try XCTUnwrap(SVGFrames.parse(svg), "not well-formed XML")
    let usable = 1200.0 - 20
    let minimum = Int64((Double(g.total) / usable).rounded(.up))
    let nodeFrames = parsed.frames.filter { $0.attributes["data-k"] == nil && $0.attributes["data-d"] != "-1" }
    XCTAssertEqual(nodeFrames.count, g.nodes.filter { $0.cum >= minimum }.count)
    XCTAssertGreaterThan(g.nodes.count, nodeFrames.count, "the profile should have frames thin enough to merge")
    XCTAssertGreaterThan(parsed.frames.filter { $0.attributes["data-k"] != nil }.count, 0)
    // Read back, the frames' data are the graph's nodes (name, depth, start, cum, self).
    let readBack = Set(
      nodeFrames.map { f in
        ["data-n", "data-d", "data-x", "data-c", "data-s"].map { f.attributes[$0] ?? "?" }.joined(separator: " ")
      })
    let expected = Set(
      g.nodes.indices.filter { g.nodes[$0].cum >= minimum }.map { i in
        let n = g.nodes[i]
        return "\(g.name(i)) \(n.depth) \(n.start) \(n.cum) \(n.selfValue)"
      })
    XCTAssertEqual(readBack, expected)
    // Widths within a pixel of cum × scale, positions likewise.
    let scale = usable / Double(g.total)
    for f in parsed.frames {
      let c = try XCTUnwrap(Double(f.attributes["data-c"] ?? ""))
      let x = try XCTUnwrap(Double(f.attributes["data-x"] ?? ""))
      let w = try XCTUnwrap(Double(f.rect["width"] ?? ""))
      let rx = try XCTUnwrap(Double(f.rect["x"] ?? ""))
      XCTAssertEqual(w, c * scale, accuracy: 1)
      XCTAssertEqual(rx, 10 + x * scale, accuracy: 1)
    }
    // The script and style are embedded, nothing is fetched.
    XCTAssertTrue(svg.contains("function perfshFlame(svg)"))
    XCTAssertFalse(
      svg.contains("http://") && svg.replacingOccurrences(of: "http://www.w3.org/", with: "").contains("http://"))
    XCTAssertEqual(parsed.elements["script"], 1)
  }

  func testNamesAreEscapedAndLabelsFitTheirRect() throws {
    var b = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes)
    let main = b.location(function: b.function("main"))
    let op = b.location(function: b.function("std::operator<<(std::ostream&, \"x\" 'y')"))
    let ctl = b.location(function: b.function("evil\u{1B}]0;title\u{07}"))
    b.addSample(leafFirst: [op, main], values: [60, 60_000_000])
    b.addSample(leafFirst: [ctl, main], values: [40, 40_000_000])
    let g = try FlameGraph(profile: b.build())
    let svg = SVGFlameGraph.render(g, options: SVGFlameOptions(title: "a < b & c"))
    let parsed = try XCTUnwrap(SVGFrames.parse(svg))
    let names = parsed.frames.compactMap { $0.attributes["data-n"] }
    XCTAssertTrue(names.contains("std::operator<<(std::ostream&, \"x\" 'y')"), "\(names)")
    XCTAssertTrue(names.contains("evil\\e]0;title\\a"), "\(names)")
    for f in parsed.frames {
      let w = Double(f.rect["width"] ?? "0") ?? 0
      XCTAssertLessThanOrEqual(Double(f.label.count) * 6.6, w, f.label)
    }
    let modules = parsed.frames.compactMap { $0.attributes["data-m"] }
    XCTAssertEqual(modules.count, 3)
  }

  func testDifferentialMarksSignificantFrames() throws {
    let a = try FlameGraph(profile: ProfileFixtures.cpu())
    let b = try FlameGraph(profile: ProfileFixtures.cpu())
    let diff = FlameDiff(a: a, b: b, runsA: 1, runsB: 2)
    let svg = SVGFlameGraph.render(b, options: SVGFlameOptions(title: "d", diff: diff))
    let parsed = try XCTUnwrap(SVGFrames.parse(svg))
    let line1000 = try XCTUnwrap(
      parsed.frames.first { $0.attributes["data-n"] == "line1000" && $0.attributes["data-s"] == "1000000000" })
    // Half the self per run in B: blue, unqualified.
    XCTAssertEqual(line1000.attributes["data-delta"], "-500000000")
    XCTAssertEqual(line1000.attributes["data-sig"], "0")
    XCTAssertEqual(line1000.rect["fill"], FlameColors.change(-1).hex)
    XCTAssertTrue(svg.contains("single runs: colours are unqualified"))
  }

  func testHeatmapSVGHasTheBarViewsRowsAndColours() throws {
    let heatmap = try Heatmap(profile: ProfileFixtures.traced())
    let svg = SVGHeatmap.render(heatmap, facts: SummaryFacts(), title: "[1] traced")
    let parsed = try XCTUnwrap(SVGFrames.parse(svg))
    XCTAssertEqual(parsed.rows.count, heatmap.rows.count)
    for (i, row) in parsed.rows.enumerated() {
      XCTAssertEqual(row["data-n"], heatmap.rows[i].name)
      XCTAssertEqual(row["fill"], HeatmapRenderer.gradientRGB(rank: i, of: heatmap.rows.count).hex)
    }
    let widths = parsed.rows.compactMap { Double($0["width"] ?? "") }
    XCTAssertEqual(widths, widths.sorted(by: >), "bars shrink with CPU time")
    XCTAssertTrue(svg.contains("avg: "))
  }

  /// `export svg --heatmap` of a count-only (folded) session: bars by Count, not empty.
  func testHeatmapSVGOfCountOnlySessionDrawsCounts() throws {
    let heatmap = try Heatmap(profile: ProfileFixtures.countsOnly())
    let svg = SVGHeatmap.render(heatmap, facts: SummaryFacts(), title: "[1] x.folded")
    let parsed = try XCTUnwrap(SVGFrames.parse(svg))
    XCTAssertEqual(parsed.rows.map { $0["data-n"] }, ["emit", "scan", "parse"])
    let widths = parsed.rows.compactMap { Double($0["width"] ?? "") }
    XCTAssertEqual(widths.count, 3)
    // 45 : 30 : 20 samples.
    XCTAssertEqual(widths[1] / widths[0], 30.0 / 45.0, accuracy: 0.01)
    XCTAssertEqual(widths[2] / widths[0], 20.0 / 45.0, accuracy: 0.01)
    XCTAssertTrue(svg.contains("emit: samples/count 45"), svg)
  }

  /// A 100 k-node graph stays well under the 5 MB the issue allows.
  func testLargeGraphStaysSmall() throws {
    let profile = ProfileFixtures.synthetic(samples: 200_000, stacks: 8_000)
    let g = try FlameGraph(profile: profile)
    XCTAssertGreaterThan(g.nodes.count, 50_000)
    let svg = SVGFlameGraph.render(g, options: SVGFlameOptions(title: "big"))
    XCTAssertLessThan(svg.utf8.count, 5_000_000)
    XCTAssertNotNil(SVGFrames.parse(svg))
  }
}

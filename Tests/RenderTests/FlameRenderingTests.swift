import Analysis
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

final class FlameRenderingTests: XCTestCase {
  func render(_ g: FlameGraph, _ options: FlameTextOptions, title: String = "flame [1] app") -> String {
    var out = ""
    FlameRenderer.write(g, title: title, to: &out, options: options)
    return out
  }

  func testGoldenAt80And160Columns() throws {
    let g = try FlameGraph(profile: ProfileFixtures.cpu())
    assertSnapshot(render(g, FlameTextOptions(width: 80)), named: "flame-cpu-80")
    assertSnapshot(render(g, FlameTextOptions(width: 160)), named: "flame-cpu-160")
    let fan = try FlameGraph(profile: ProfileFixtures.fanOut(40), options: FlameOptions(sort: .weight))
    assertSnapshot(render(fan, FlameTextOptions(width: 80)), named: "flame-fanout-weight-80")
    assertSnapshot(render(fan, FlameTextOptions(width: 160)), named: "flame-fanout-weight-160")
  }

  func testGoldenWithColourAndSelfColouring() throws {
    let g = try FlameGraph(profile: ProfileFixtures.cpu())
    assertSnapshot(render(g, FlameTextOptions(width: 80, color: true)), named: "flame-cpu-80-color")
    assertSnapshot(
      render(g, FlameTextOptions(width: 80, color: true, colorMode: .self)), named: "flame-cpu-80-color-self")
  }

  /// Every drawn frame spans its cum scaled to the width, to within one cell, and starts
  /// within half a cell of its exact position.
  func testWidthsProportionalToCumWithinOneCell() throws {
    for width in [37, 80, 160, 211] {
      for profile in [
        ProfileFixtures.cpu(), ProfileFixtures.fanOut(40), ProfileFixtures.synthetic(samples: 5000, stacks: 300),
      ] {
        let g = try FlameGraph(profile: profile)
        let picture = FlameRenderer.rows(g, options: FlameTextOptions(width: width))
        let scale = Double(width) / Double(g.total)
        var drawn = 0
        for row in picture.cells {
          for cell in row {
            guard let node = cell.node else { continue }
            drawn += 1
            let exact = Double(g.nodes[node].cum) * scale
            XCTAssertLessThanOrEqual(abs(Double(cell.x1 - cell.x0) - exact), 1.0, "\(g.name(node)) at \(width)")
            XCTAssertLessThanOrEqual(abs(Double(cell.x0) - Double(g.nodes[node].start) * scale), 0.5)
          }
        }
        XCTAssertGreaterThan(drawn, 0)
        // Each line is exactly as wide as the picture allows (plain text: one character per cell).
        for line in picture.lines { XCTAssertLessThanOrEqual(line.count, width) }
        XCTAssertEqual(picture.lines.first?.count, width)
      }
    }
  }

  func testZoomSelectionAndSearchMarks() throws {
    let g = try FlameGraph(profile: ProfileFixtures.cpu(), options: FlameOptions(graph: GraphOptions(valueIndex: 0)))
    let zoomed = FlameRenderer.rows(g, options: FlameTextOptions(width: 40, zoom: 4, selected: 5, matches: [6]))
    XCTAssertEqual(zoomed.lines.count, 5)
    // Callers and the zoomed frame are full width.
    XCTAssertEqual(zoomed.cells[0], [FlameCell(node: 0, x0: 0, x1: 40, mergedFrames: 0)])
    XCTAssertEqual(zoomed.cells[2], [FlameCell(node: 4, x0: 0, x1: 40, mergedFrames: 0)])
    XCTAssertTrue(zoomed.lines[3].hasPrefix(">line2001"), zoomed.lines[3])
    XCTAssertTrue(zoomed.lines[4].contains("line1000***"), zoomed.lines[4])
    var header = FlameRenderer.header(g, title: "t", hiddenFrames: 0, options: FlameTextOptions(width: 40, zoom: 4))
    XCTAssertEqual(header.removeFirst(), "t | total 110 samples | zoomed: line2000 101 samples (91.8%)")
  }

  func testGoldenDifferentialColours() throws {
    // B: main self doubled against A's fixture; the change is the only colour besides white.
    let a = try FlameGraph(profile: ProfileFixtures.cpu())
    var b = ProfileFixtures.cpu()
    b.samples.append(stack: b.samples.stacks[4], values: [1, 10_000_000])
    let gb = try FlameGraph(profile: b)
    let diff = FlameDiff(a: a, b: gb, runsA: 1, runsB: 1)
    assertSnapshot(
      render(gb, FlameTextOptions(width: 80, color: true, diff: diff), title: "flame --diff"),
      named: "flame-diff-80-color")
  }

  func testDifferentialLegendSaysWhetherColoursAreQualified() throws {
    let g = try FlameGraph(profile: ProfileFixtures.cpu())
    let single = FlameDiff(a: g, b: g, runsA: 1, runsB: 1)
    XCTAssertTrue(FlameRenderer.diffLegend(single).contains("single runs: colours are unqualified"))
    let runs = Array(repeating: ["main": Int64(1)], count: 3)
    let repeated = FlameDiff(a: g, b: g, runsA: 3, runsB: 3, repeatsA: runs, repeatsB: runs)
    XCTAssertTrue(
      FlameRenderer.diffLegend(repeated).contains("0 frame(s) (0 function(s)) changed significantly"),
      FlameRenderer.diffLegend(repeated))
  }
}

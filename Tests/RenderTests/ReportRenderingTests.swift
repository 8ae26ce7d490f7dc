import Analysis
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

/// Golden text of every report renderer (colour off, unlimited width unless stated).
final class ReportRenderingTests: XCTestCase {
  func render(_ body: (inout String) throws -> Void) rethrows -> String {
    var out = ""
    try body(&out)
    return out
  }

  func testTopFunctions() throws {
    let report = try TopReport(profile: ProfileFixtures.cpu())
    assertSnapshot(render { TopRenderer.write(report, to: &$0) }, named: "top.functions")
  }

  func testTopCumLinesWithFilters() throws {
    let filter = try ProfileFilter(focus: "[12]00", hide: "line[X3]0")
    let options = TopOptions(graph: GraphOptions(granularity: .lines, filter: filter), sortByCum: true)
    let report = try TopReport(profile: ProfileFixtures.cpu(), options: options)
    assertSnapshot(render { TopRenderer.write(report, to: &$0) }, named: "top.cum.lines.focus.hide")
  }

  func testTopFilesSampleCount() throws {
    let options = TopOptions(graph: GraphOptions(valueIndex: 0, granularity: .files))
    let report = try TopReport(profile: ProfileFixtures.cpu(), options: options)
    assertSnapshot(render { TopRenderer.write(report, to: &$0) }, named: "top.files.samples")
  }

  func testTopAddresses() throws {
    let options = TopOptions(graph: GraphOptions(granularity: .addresses))
    let report = try TopReport(profile: ProfileFixtures.cpu(), options: options)
    assertSnapshot(render { TopRenderer.write(report, to: &$0) }, named: "top.addresses")
  }

  func testTopUnsymbolized() throws {
    let report = try TopReport(profile: ProfileFixtures.unsymbolized())
    assertSnapshot(render { TopRenderer.write(report, to: &$0) }, named: "top.unsymbolized")
  }

  func testTopDroppedNodesAndLimit() throws {
    let report = try TopReport(profile: ProfileFixtures.fanOut(300), options: TopOptions(nodeCount: 4))
    assertSnapshot(render { TopRenderer.write(report, to: &$0) }, named: "top.dropped")
  }

  func testTopNarrowWidthCutsNames() throws {
    let options = TopOptions(graph: GraphOptions(granularity: .lines))
    let report = try TopReport(profile: ProfileFixtures.cpu(), options: options)
    let text = render { TopRenderer.write(report, to: &$0, options: RenderOptions(width: 60)) }
    for line in text.split(separator: "\n") { XCTAssertLessThanOrEqual(line.unicodeScalars.count, 60, "\(line)") }
    assertSnapshot(text, named: "top.width60")
  }

  func testTopColour() throws {
    let report = try TopReport(profile: ProfileFixtures.cpu(), options: TopOptions(nodeCount: 2))
    let plain = render { TopRenderer.write(report, to: &$0) }
    let coloured = render { TopRenderer.write(report, to: &$0, options: RenderOptions(color: true)) }
    XCTAssertFalse(plain.contains("\u{1B}["))
    XCTAssertTrue(coloured.contains("\u{1B}[31m"), "the 90% row is red")
    let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    XCTAssertEqual(stripped, plain)
  }

  func testEmptyProfileRendersHeadersOnly() throws {
    let empty = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes).build()
    let text = try render { out in
      TopRenderer.write(try TopReport(profile: empty), to: &out)
      CallTreeRenderer.write(try CallTree(profile: empty), to: &out)
    }
    XCTAssertThrowsError(try PeekReport(profile: empty, matching: NameMatcher("."))) {
      XCTAssertEqual(($0 as? AnalysisError)?.description, "no matches found for regexp: .")
    }
    XCTAssertThrowsError(try SourceListing(profile: empty, matching: NameMatcher(".")) { _ in nil }) {
      XCTAssertEqual($0 as? AnalysisError, .noMatches(pattern: "."))
    }
    XCTAssertEqual(
      text,
      """
      Showing nodes accounting for 0, 0% of 0 total
            flat  flat%   sum%        cum   cum%
      Showing call tree of 0 total
             cum   cum%  call path

      """)
  }

  func testPeek() throws {
    let report = try PeekReport(profile: ProfileFixtures.cpu(), matching: NameMatcher("line[23]00"))
    assertSnapshot(render { PeekRenderer.write(report, to: &$0) }, named: "peek.functions")
  }

  func testPeekLinesShowsInlineCalls() throws {
    let report = try PeekReport(
      profile: ProfileFixtures.cpu(), matching: NameMatcher("line200"), options: GraphOptions(granularity: .lines))
    assertSnapshot(render { PeekRenderer.write(report, to: &$0) }, named: "peek.lines")
  }

  func testTree() throws {
    let tree = try CallTree(profile: ProfileFixtures.cpu())
    assertSnapshot(render { CallTreeRenderer.write(tree, to: &$0) }, named: "tree.functions")
  }

  func testTreeDepthAndRoot() throws {
    let tree = try CallTree(
      profile: ProfileFixtures.cpu(), options: CallTreeOptions(maxDepth: 2, root: NameMatcher("line3000")))
    assertSnapshot(render { CallTreeRenderer.write(tree, to: &$0) }, named: "tree.depth2.root")
  }

  func testList() throws {
    let listing = try SourceListing(
      profile: ProfileFixtures.cpu(), matching: NameMatcher("line"), source: ProfileFixtures.cpuSource)
    assertSnapshot(render { SourceListingRenderer.write(listing, to: &$0) }, named: "list.line")
  }

  func testListWithoutSourceFiles() throws {
    let listing = try SourceListing(profile: ProfileFixtures.cpu(), matching: NameMatcher("line3|memcpy")) { _ in nil }
    assertSnapshot(render { SourceListingRenderer.write(listing, to: &$0) }, named: "list.nosource")
  }
}

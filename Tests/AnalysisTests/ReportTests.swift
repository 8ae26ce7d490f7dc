import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

final class ReportTests: XCTestCase {
  let ms: Int64 = 1_000_000

  func testTopSortsByFlatThenName() throws {
    let top = try TopReport(profile: ProfileFixtures.cpu())
    XCTAssertEqual(
      top.rows.map(\.info.name),
      ["line1000", "line3000", "memcpy", "line2001", "main", "line2000", "line3001"])
    XCTAssertEqual(top.shownFlat, 1100 * ms)
    XCTAssertEqual(top.droppedNodes, 0)
  }

  func testTopSortsByCum() throws {
    let top = try TopReport(profile: ProfileFixtures.cpu(), options: TopOptions(sortByCum: true))
    XCTAssertEqual(
      top.rows.map(\.info.name),
      ["main", "line3000", "line1000", "line2000", "line2001", "line3001", "memcpy"])
  }

  func testTopDropsNodesBelowTheNodeFractionAndLimitsRows() throws {
    // f0…f299 worth 1…300 ms: total 45.15 s, cutoff 225.75 ms → f0…f224 dropped.
    let top = try TopReport(profile: ProfileFixtures.fanOut(300), options: TopOptions(nodeCount: 5))
    XCTAssertEqual(top.droppedNodes, 225)
    XCTAssertEqual(top.nodesAfterDrop, 76)  // f225…f299 and main
    XCTAssertEqual(top.rows.map(\.info.name), ["f299", "f298", "f297", "f296", "f295"])
    XCTAssertEqual(top.dropThreshold, 225_750_000)
  }

  func testPeekListsCallersAndCallees() throws {
    let peek = try PeekReport(profile: ProfileFixtures.cpu(), matching: NameMatcher("^line3000$"))
    XCTAssertEqual(peek.entries.count, 1)
    let e = try XCTUnwrap(peek.entries.first)
    XCTAssertEqual(e.callers.map(\.info.name), ["main", "line3001"])
    XCTAssertEqual(e.callers.map(\.weight), [1060 * ms, 50 * ms])
    XCTAssertEqual(e.callees.map(\.info.name), ["line2000", "line3001"])
    XCTAssertEqual(e.callees.map(\.weight), [1010 * ms, 50 * ms])
  }

  func testCallTreeKeepsRecursionAsNestedPaths() throws {
    let tree = try CallTree(profile: ProfileFixtures.cpu())
    let lines = tree.rows.map { String(repeating: " ", count: $0.depth) + "\($0.info.name) \($0.cum / ms)" }
    XCTAssertEqual(
      lines,
      [
        "main 1100",
        " line3000 1060",
        "  line2000 1010",
        "   line2001 1010",
        "    line1000 1000",
        "  line3001 50",
        "   line3000 50",
        " line1000 30",
        "  memcpy 30",
      ])
  }

  func testCallTreeDepthLimitAndRoot() throws {
    let shallow = try CallTree(profile: ProfileFixtures.cpu(), options: CallTreeOptions(maxDepth: 2))
    XCTAssertEqual(shallow.rows.map(\.info.name), ["main", "line3000", "line1000"])
    XCTAssertEqual(shallow.hiddenRows, 6)
    let rooted = try CallTree(profile: ProfileFixtures.cpu(), options: CallTreeOptions(root: NameMatcher("line1000")))
    XCTAssertEqual(rooted.rows.map(\.info.name), ["line1000", "memcpy"])
    XCTAssertEqual(rooted.rows.map(\.cum), [1030 * ms, 30 * ms])
  }

  func testSourceListingPerLine() throws {
    let listing = try SourceListing(
      profile: ProfileFixtures.cpu(), matching: NameMatcher("line2000|line3000"), source: ProfileFixtures.cpuSource)
    XCTAssertEqual(listing.routines.map(\.function), ["line2000", "line3000"])
    let r2000 = listing.routines[0]
    XCTAssertEqual(r2000.file, "file2000.src")
    XCTAssertEqual(r2000.firstLine, 1)  // the function's start line
    XCTAssertEqual(r2000.lastLine, 9)  // line 4 + margin 5
    XCTAssertEqual(r2000.lines.first { $0.number == 4 }?.cum, 1010 * ms)
    XCTAssertEqual(r2000.lines.first { $0.number == 4 }?.text, "file2000.src line 4")
    let r3000 = listing.routines[1]
    XCTAssertEqual(r3000.firstLine, 4)
    XCTAssertEqual(r3000.lastLine, 10, "stops at the end of the file")
    XCTAssertEqual(r3000.lines.first { $0.number == 6 }?.flat, 50 * ms)
    XCTAssertEqual(r3000.cum, 1060 * ms)
  }

  func testSourceListingWithoutSourceShowsOnlyLinesWithSamples() throws {
    var asked: [String] = []
    let listing = try SourceListing(profile: ProfileFixtures.cpu(), matching: NameMatcher("line200")) { file in
      asked.append(file)
      return nil
    }
    XCTAssertEqual(asked, ["file2000.src"], "each file is asked for once")
    XCTAssertEqual(listing.routines.map(\.function), ["line2000", "line2001"])
    XCTAssertFalse(listing.routines[0].sourceAvailable)
    XCTAssertEqual(listing.routines[0].lines, [SourceListing.LineRow(number: 4, flat: 0, cum: 1010 * ms, text: nil)])
  }

  func testSourceListingOfFunctionWithoutFile() throws {
    let listing = try SourceListing(
      profile: ProfileFixtures.cpu(), matching: NameMatcher("memcpy"), source: ProfileFixtures.cpuSource)
    XCTAssertEqual(listing.routines.count, 1)
    XCTAssertNil(listing.routines[0].file)
  }
}

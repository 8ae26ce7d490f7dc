import Analysis
import ProfileModel
import Render
import XCTest

/// `tree` of a 100k-deep recursion: one row per level, each of bounded width.
final class DeepTreeRenderingTests: XCTestCase {
  func testDeepRecursionIndentIsCappedAndShowsTheDepth() throws {
    let depth = 100_000
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let rec = b.location(function: b.function("rec"))
    let main = b.location(function: b.function("main"))
    b.addSample(leafFirst: [LocationID](repeating: rec, count: depth - 1) + [main], values: [3])
    let tree = try CallTree(profile: b.build())
    var out = ""
    CallTreeRenderer.write(tree, to: &out)
    let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
    XCTAssertEqual(lines.count, 2 + depth + 1, "two header lines, one row per level, final newline")
    let cap = CallTreeRenderer.maxIndentedDepth
    XCTAssertEqual(lines[2], "         3   100%  main")
    XCTAssertEqual(lines[2 + cap], "         3   100%  " + String(repeating: "  ", count: cap) + "rec")
    XCTAssertEqual(lines[3 + cap], "         3   100%  " + String(repeating: "  ", count: cap) + "[\(cap + 1)] rec")
    XCTAssertEqual(lines[1 + depth], "         3   100%  " + String(repeating: "  ", count: cap) + "[\(depth - 1)] rec")
    XCTAssertLessThanOrEqual(lines.map(\.utf8.count).max() ?? 0, 19 + 2 * cap + 8 + 3)
    XCTAssertLessThan(out.utf8.count, 100 * depth, "bounded per row, not quadratic in the depth")
  }
}

import Analysis
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

/// Width-fitting never makes two different functions look identical (issue 21 saw two
/// `clang::Sema::I…::operator()() const` heatmap rows).
final class NameFitDistinctTests: XCTestCase {
  let names = [
    "clang::Sema::InstantiateFunctionDefinition(clang::SourceLocation)::$_0::operator()() const",
    "clang::Sema::InstantiateVariableDefinition(clang::SourceLocation)::$_0::operator()() const",
    "clang::Sema::InstantiateClassMembers(clang::SourceLocation)::$_0::operator()() const",
    "main",
  ]

  func testFitAllKeepsDifferentNamesDifferent() {
    let plain = names.map { NameFit.fit($0, width: 36) }
    XCTAssertEqual(plain[0], plain[1], "the plain fit makes them alike (the defect)")
    for width in [12, 20, 36, 50] {
      let fitted = NameFit.fitAll(names, width: width)
      XCTAssertEqual(Set(fitted).count, names.count, "width \(width): \(fitted)")
      XCTAssertTrue(fitted.allSatisfy { $0.count <= width }, "width \(width): \(fitted)")
      XCTAssertEqual(fitted[3], "main", "names that fit are untouched")
    }
    // The same name twice (one function, two rows is not possible, but be safe) stays one text.
    XCTAssertEqual(Set(NameFit.fitAll([names[0], names[0]], width: 30)).count, 1)
  }

  func testHeatmapRowsAreDistinctOnANarrowTerminal() throws {
    // Equal values: the rendered lines can then differ only by their names.
    var b = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes)
    for name in names { b.addSample(leafFirst: [b.location(function: b.function(name))], values: [5, 5_000_000]) }
    let heatmap = try Heatmap(profile: b.build())
    for mode in [HeatmapMode.table, .bar] {
      let lines = HeatmapRenderer.rows(
        heatmap, rows: heatmap.rows, mode: mode, options: RenderOptions(color: false, width: 80))
      let rows = lines.filter { !$0.hasPrefix("Function") && !$0.hasPrefix("(") }
      XCTAssertEqual(rows.count, names.count, lines.joined(separator: "\n"))
      XCTAssertEqual(Set(rows).count, names.count, "\(mode):\n" + lines.joined(separator: "\n"))
    }
  }
}

import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// What `trace-top` picks: functions with code of their own, never names seen only inlined.
final class TraceTopSelectionTests: XCTestCase {
  func testInlinedOnlyFunctionsAreNotPicked() throws {
    // A real binary: selection also checks the name against the file's symbols.
    let calls = try Workloads.path("calls")
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    let m = b.mapping(Mapping(start: 0x400000, limit: 0x500000, fileOffset: 0, filename: b.intern(calls)))
    let inlined = b.function("inlinedHelper")
    let outer = b.function("outer")
    // lines[0] is the innermost (inlined) frame, the last line the function holding the code.
    let location = b.location(
      Location(address: 0x401000, mapping: m, lines: [Line(function: inlined), Line(function: outer)]))
    b.addSample(leafFirst: [location], values: [10])
    let choices = TraceTopSelection.patterns(
      ranked: ["inlinedHelper", "outer"], profile: b.build(), executable: calls, count: 5)
    XCTAssertEqual(choices.map(\.display), ["outer"])
    XCTAssertEqual(choices.first?.pattern, "^outer$")
  }
}

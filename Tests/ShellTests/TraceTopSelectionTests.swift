import ProfileModel
import XCTest

@testable import Shell

/// What `trace-top` picks: functions with code of their own, never names seen only inlined.
final class TraceTopSelectionTests: XCTestCase {
  func testInlinedOnlyFunctionsAreNotPicked() {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    let m = b.mapping(Mapping(start: 0x400000, limit: 0x500000, fileOffset: 0, filename: b.intern("/usr/bin/true")))
    let inlined = b.function("runtime.inlinedHelper")
    let outer = b.function("runtime.caller")
    // lines[0] is the innermost (inlined) frame, the last line the function holding the code.
    let location = b.location(Location(address: 0x401000, mapping: m, lines: [Line(function: inlined), Line(function: outer)]))
    b.addSample(leafFirst: [location], values: [10])
    let choices = TraceTopSelection.patterns(
      ranked: ["runtime.inlinedHelper", "runtime.caller"], profile: b.build(), executable: "/usr/bin/true", count: 5)
    XCTAssertEqual(choices.map(\.display), ["runtime.caller"])
    XCTAssertEqual(choices.first?.pattern, #"^runtime\.caller$"#)
  }
}

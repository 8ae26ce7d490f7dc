import ProfileModel
import XCTest

final class ProfileBuilderTests: XCTestCase {
  func testStringsAreInternedWithEmptyFirst() {
    var table = StringTable()
    XCTAssertEqual(table[.empty], "")
    let a = table.intern("main")
    XCTAssertEqual(table.intern("main"), a)
    XCTAssertNotEqual(table.intern("parse"), a)
    XCTAssertEqual(table.lookup("parse").map { table[$0] }, "parse")
    XCTAssertNil(table.lookup("absent"))
  }

  func testFunctionsAndLocationsAreDeduplicatedByContent() {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let f1 = b.function("parse", file: "p.c", startLine: 10)
    let f2 = b.function("parse", file: "p.c", startLine: 10)
    let f3 = b.function("parse", file: "other.c", startLine: 10)
    XCTAssertEqual(f1, f2)
    XCTAssertNotEqual(f1, f3)
    let l1 = b.location(function: f1, line: 12)
    XCTAssertEqual(b.location(function: f1, line: 12), l1)
    XCTAssertNotEqual(b.location(function: f1, line: 13), l1)
    XCTAssertEqual(b.profile.functions.count, 2)
    XCTAssertEqual(b.profile.locations.count, 2)
  }

  func testFoldedStyleSamplesShareStacksAndKeepLabels() throws {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    let tid = b.intern("tid")
    b.addSample(rootFirstNames: ["main", "parse", "scan"], values: [3, 30], labels: [Label(key: tid, number: 7)])
    b.addSample(rootFirstNames: ["main", "parse"], values: [1, 10])
    let p = b.build()
    try p.validate()
    XCTAssertEqual(p.samples.count, 2)
    XCTAssertEqual(p.stacks.count, 4)
    XCTAssertEqual(p.total(column: 1), 40)
    XCTAssertEqual(Array(p.labelSets[p.samples.labelSets[0]]), [Label(key: tid, number: 7)])
    XCTAssertEqual(p.samples.labelSets[1], .none)
    let leaf = p.stacks.frames(leafFirst: p.samples.stacks[0]).first.map { p.locations[$0.index].lines[0].function }
    XCTAssertEqual(leaf.map { p.name(of: $0) }, "scan")
    XCTAssertEqual(p.defaultValueIndex, 1)
    XCTAssertEqual(p.sampleTypeIndex(named: "samples"), 0)
  }

  func testValidateRejectsBrokenReferences() {
    var p = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    p.functions.append(Function(name: StringID(99), systemName: .empty, filename: .empty))
    XCTAssertThrowsError(try p.validate()) { error in
      XCTAssertEqual(error as? ProfileError, .badStringID(what: "function 0 name", id: 99))
    }
    p.functions[0].name = .empty
    p.locations.append(Location(lines: [Line(function: FunctionID(3))]))
    XCTAssertThrowsError(try p.validate()) { error in
      XCTAssertEqual(error as? ProfileError, .badFunctionID(location: 0, id: 3))
    }
    p.locations[0].lines = [Line(function: FunctionID(0))]
    p.locations[0].mapping = MappingID(0)
    XCTAssertThrowsError(try p.validate()) { error in
      XCTAssertEqual(error as? ProfileError, .badMappingID(location: 0, id: 0))
    }
    p.locations[0].mapping = nil
    XCTAssertNoThrow(try p.validate())
  }

  func testTerminationReportsShellStatus() {
    XCTAssertEqual(RunInfo.Termination.exited(3).shellStatus, 3)
    XCTAssertEqual(RunInfo.Termination.signaled(11).shellStatus, 139)
    XCTAssertEqual(RunInfo.Termination.signaled(11).description, "killed by SIGSEGV")
  }
}

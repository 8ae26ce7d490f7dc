import ProfileModel
import XCTest

/// `LocationTable` stores locations by column and reads back exactly the `Location` values
/// written, checked against a plain `[Location]` through every way call sites change them.
final class LocationTableTests: XCTestCase {
  private func assertSame(
    _ t: LocationTable, _ reference: [Location], file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(t.count, reference.count, file: file, line: line)
    XCTAssertEqual(Array(t), reference, file: file, line: line)
    for (i, l) in reference.enumerated() {
      XCTAssertEqual(t[i], l, "location \(i)", file: file, line: line)
      XCTAssertEqual(t.address(i), l.address, file: file, line: line)
      XCTAssertEqual(t.mapping(i), l.mapping, file: file, line: line)
      XCTAssertEqual(t.isFolded(i), l.isFolded, file: file, line: line)
      XCTAssertEqual(Array(t.lines(i)), l.lines, file: file, line: line)
      XCTAssertEqual(t.lineCount(i), l.lines.count, file: file, line: line)
    }
    XCTAssertEqual(t, LocationTable(reference), "equal to a table built from the same values", file: file, line: line)
  }

  /// Locations with every kind of field: inlined (several lines), folded, no lines, kernel
  /// addresses (past Int64.max), no mapping, a negative mapping id, wide line numbers.
  private func sampleLocations() -> [Location] {
    [
      Location(address: 0x40_1000, mapping: MappingID(0), lines: [Line(function: FunctionID(3), line: 12, column: 4)]),
      Location(
        address: 0x40_2000, mapping: MappingID(1),
        lines: [
          Line(function: FunctionID(7), line: 100), Line(function: FunctionID(8), line: 200, column: 9),
          Line(function: FunctionID(2), line: 300),
        ]),
      Location(address: 0, mapping: nil, lines: [Line(function: FunctionID(70_000))], isFolded: true),
      Location(address: 0xffff_ffff_8100_0000, mapping: MappingID(2), lines: []),
      Location(address: 0x7f00_0000_1234, mapping: MappingID(Int32(-1)), lines: [Line(function: FunctionID(0))]),
      Location(
        address: 5, mapping: MappingID(0), lines: [Line(function: FunctionID(1), line: Int64.max, column: -7)],
        isFolded: true),
      Location(address: 6, mapping: MappingID(0), lines: []),
    ]
  }

  func testRoundTripOfInlinedFoldedAndEmptyLocations() {
    let reference = sampleLocations()
    var appended = LocationTable()
    for l in reference { appended.append(l) }
    assertSame(appended, reference)
    assertSame(LocationTable(reference), reference)
    let literal: LocationTable = [reference[1], reference[2]]
    assertSame(literal, [reference[1], reference[2]])
    XCTAssertEqual(LocationTable().count, 0)
    XCTAssertNotEqual(appended, LocationTable(reference.dropLast()))
  }

  func testWritingBackFieldsAndLinesOfEveryLength() {
    var reference = sampleLocations()
    var t = LocationTable(reference)
    // Longer lines (moved to the end of the flat columns), shorter ones (in place), none.
    t[0].lines = [Line(function: FunctionID(1)), Line(function: FunctionID(2), line: 5), Line(function: FunctionID(3))]
    reference[0].lines = [
      Line(function: FunctionID(1)), Line(function: FunctionID(2), line: 5), Line(function: FunctionID(3)),
    ]
    t[1].lines = [Line(function: FunctionID(9), line: 1)]
    reference[1].lines = [Line(function: FunctionID(9), line: 1)]
    t[3].lines = [Line(function: FunctionID(4), line: 44)]
    reference[3].lines = [Line(function: FunctionID(4), line: 44)]
    t[2].lines = []
    reference[2].lines = []
    t[4].mapping = nil
    reference[4].mapping = nil
    t[5].mapping = MappingID(Int32(-3))
    reference[5].mapping = MappingID(Int32(-3))
    t[6].isFolded = true
    reference[6].isFolded = true
    t[6].address = UInt64.max
    reference[6].address = UInt64.max
    t[1].lines[0].function = FunctionID(99)
    reference[1].lines[0].function = FunctionID(99)
    t.setLines(0, [Line(function: FunctionID(5))])
    reference[0].lines = [Line(function: FunctionID(5))]
    assertSame(t, reference)
    XCTAssertGreaterThan(t.storedLineCount, reference.reduce(0) { $0 + $1.lines.count }, "slots left behind")

    let copy = t
    t.compact()
    assertSame(t, reference)
    XCTAssertEqual(t.storedLineCount, reference.reduce(0) { $0 + $1.lines.count }, "compact drops unused slots")
    XCTAssertEqual(copy, t, "the copy taken before compacting still reads the same")
    t.append(reference[1])
    reference.append(reference[1])
    t[7].lines.append(Line(function: FunctionID(1_000_000)))
    reference[7].lines.append(Line(function: FunctionID(1_000_000)))
    assertSame(t, reference)
  }

  func testRandomChangesMatchAPlainArray() {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<20 {
      var t = LocationTable()
      var reference: [Location] = []
      func random() -> Location {
        let lines = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
          Line(
            function: FunctionID(Int.random(in: 0..<100_000, using: &rng)),
            line: Int64.random(in: 0...70_000, using: &rng),
            column: Int64.random(in: 0...3, using: &rng))
        }
        return Location(
          address: UInt64.random(in: 0...UInt64.max, using: &rng),
          mapping: Bool.random(using: &rng) ? nil : MappingID(Int.random(in: 0..<5, using: &rng)), lines: lines,
          isFolded: Int.random(in: 0..<5, using: &rng) == 0)
      }
      for step in 0..<300 {
        if !reference.isEmpty && Bool.random(using: &rng) {
          let i = Int.random(in: 0..<reference.count, using: &rng)
          let l = random()
          if Bool.random(using: &rng) {
            t[i] = l
            reference[i] = l
          } else if Bool.random(using: &rng) {
            t[i].lines = l.lines
            reference[i].lines = l.lines
          } else {
            t.setLines(i, l.lines)  // what the symbolizer calls
            reference[i].lines = l.lines
          }
        } else {
          let l = random()
          t.append(l)
          reference.append(l)
        }
        if step % 100 == 99 { t.compact() }
      }
      assertSame(t, reference)
    }
  }

  func testProfileLocationLookupsReadTheTable() {
    var p = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    for l in sampleLocations() { p.locations.append(l) }
    XCTAssertEqual(p.location(LocationID(1)).lines.count, 3)
    XCTAssertEqual(p.location(LocationID(2)).isFolded, true)
    XCTAssertEqual(p.locations.map(\.address), sampleLocations().map(\.address))
  }
}

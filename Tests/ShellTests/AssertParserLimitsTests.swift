import Shell
import XCTest

/// Session numbers past Int (issue 20: `assert elapsed(99999999999999999999) < 1s` trapped)
/// are parse errors with the column of the number, like every other malformed expression.
final class AssertParserLimitsTests: XCTestCase {
  func testSessionNumberPastIntIsASyntaxErrorAtItsColumn() {
    let cases = [
      ("elapsed(99999999999999999999) < 1s", 9),
      ("cpu(" + String(repeating: "9", count: 400) + ") < 1s", 5),  // reads as infinity
      ("elapsed(@1) < elapsed(9223372036854775808)", 23),
    ]
    for (text, column) in cases {
      XCTAssertThrowsError(try AssertParser.parse(text), text) { error in
        guard let e = error as? AssertSyntaxError else { return XCTFail("\(error)") }
        XCTAssertEqual(e.column, column, text)
        XCTAssertTrue(e.message.hasPrefix("session number too large"), e.message)
      }
    }
  }

  func testLargestSessionNumberStillParses() throws {
    let parsed = try AssertParser.parse("elapsed(9223372036854774784) < 1s")
    XCTAssertEqual(parsed.text, "elapsed(9223372036854774784) < 1s")
  }
}

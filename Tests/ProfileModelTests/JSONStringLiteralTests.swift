import XCTest

@testable import ProfileModel

/// The one JSON string escaper: what each character becomes, with and without `<`.
final class JSONStringLiteralTests: XCTestCase {
  func testPlainTextIsOnlyQuoted() {
    XCTAssertEqual(JSONStringLiteral.quoted("main::run<int> µs"), "\"main::run<int> µs\"")
  }

  func testQuotesBackslashesAndControlCharactersAreEscaped() {
    XCTAssertEqual(
      JSONStringLiteral.quoted("a\"b\\c\nd\re\tf\u{1}g\u{1f}h\u{7f}"),
      "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fh\u{7f}\"")
  }

  func testLessThanOnlyWhenAsked() {
    XCTAssertEqual(JSONStringLiteral.quoted("</script>"), "\"</script>\"")
    XCTAssertEqual(JSONStringLiteral.quoted("</script>", escapingLessThan: true), "\"\\u003c/script>\"")
    XCTAssertEqual(JSONStringLiteral.quoted("a<b\n", escapingLessThan: true), "\"a\\u003cb\\n\"")
  }

  func testAppendKeepsWhatIsThere() {
    var out = "{"
    JSONStringLiteral.append("k", to: &out)
    XCTAssertEqual(out, "{\"k\"")
  }
}

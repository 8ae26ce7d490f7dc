import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// Number literals of the assert language past what Int64 measures (issue 20): parse errors
/// with the column and caret, never a trap, and the largest sensible values still work.
final class AssertNumberTests: XCTestCase {
  private func syntaxError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> AssertSyntaxError? {
    do {
      _ = try AssertParser.parse(text)
      XCTFail("\(text) parsed", file: file, line: line)
    } catch {
      return error
    }
    return nil
  }

  func testSessionNumberPastInt64IsAParseErrorWithItsColumn() {
    // The fuzzer's reproducer: String(Int(1e20)) trapped.
    let e = syntaxError("elapsed(99999999999999999999) < 1s")
    XCTAssertEqual(e?.column, 9)
    XCTAssertEqual(e?.message, "number too large: '99999999999999999999' is 2^63 or more")
    XCTAssertEqual(
      e?.description,
      "assert: number too large: '99999999999999999999' is 2^63 or more at column 9\n"
        + "  elapsed(99999999999999999999) < 1s\n          ^")
  }

  func testHugeDurationsPercentagesAndCountsAreParseErrors() {
    let cases: [(String, Int, String)] = [
      ("elapsed < 99999999999999999999s", 11, "is 2^63 nanoseconds (about 292 years) or more"),
      ("cpu < 9300000000000000000ns", 7, "is 2^63 nanoseconds"),
      ("self(parse) < 99999999999999999999%", 15, "is 2^63 percent or more"),
      ("compare(@prev, @last).cpu < +99999999999999999999%", 29, "is 2^63 percent or more"),
      ("samples > \(String(repeating: "9", count: 400))", 11, "is 2^63 or more"),
      ("elapsed < 200000000m", 11, "nanoseconds"),
      ("cum(a, 99999999999999999999) < 5%", 8, "number too large"),
    ]
    for (text, column, message) in cases {
      let e = syntaxError(text)
      XCTAssertEqual(e?.column, column, "\(text): \(e?.message ?? "")")
      XCTAssertTrue(e?.message.contains(message) ?? false, "\(text): \(e?.message ?? "")")
    }
  }

  func testSessionNumbersMustBeWholeAndPositive() {
    XCTAssertEqual(syntaxError("elapsed(0) < 1s")?.column, 9)
    XCTAssertTrue(syntaxError("elapsed(1.5) < 1s")?.message.contains("expected a session id") ?? false)
  }

  func testLargestUsefulNumbersStillParse() throws {
    let e = try AssertParser.parse(
      "elapsed(12345678901234567) < 106751d".replacingOccurrences(of: "106751d", with: "9000000000s"))
    guard case .metric(let m) = e.lhs, case .literal(let l) = e.rhs else { return XCTFail("\(e)") }
    XCTAssertEqual(m.session, "12345678901234567", "the digits as written, not rounded through a Double")
    XCTAssertEqual(l.value, 9e18)
    XCTAssertNoThrow(try AssertParser.parse("samples < 9000000000000000000"))
    XCTAssertNoThrow(try AssertParser.parse("compare(@1, @2).cpu < +500%"))
  }

  func testHugeMeasuredValuesPrintWithoutTrapping() {
    let shell = CapturedShell()
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    b.addSample(rootFirstNames: ["main", "hot"], values: [(1 << 62) - 1, (1 << 62) - 1])
    shell.context.sessions.add(profile: b.build(), name: "big", source: .file(path: "big.pb", format: "pprof"))
    shell.context.sessions.add(profile: b.build(), name: "big2", source: .file(path: "big.pb", format: "pprof"))
    XCTAssertEqual(shell.runScript("assert cpu < 1s\n").exitStatus, 1)
    XCTAssertTrue(shell.stderr.contains("measured 4611686018s, limit 1s"), shell.stderr)
    XCTAssertEqual(shell.runScript("assert compare(@1, @2).samples == 0%\n").exitStatus, 0, shell.stderr)
    XCTAssertEqual(shell.runScript("compare 1 2\n").exitStatus, 0, shell.stderr)
  }
}

import PerfshTestSupport
import XCTest

@testable import Shell

/// `run`'s hand parse of its common forms must make exactly what swift-argument-parser makes of
/// the same words, and leave every other form to the parser.
final class RunCommonFormTests: XCTestCase {
  /// Each property as its wrapper prints it (`Option(999)`, `Flag(false)`, …): an unset one
  /// prints `*definition*`, so a property the hand parse forgets fails here, not in a run.
  private func fields(_ command: RunCommand) -> [String] {
    Mirror(reflecting: command).children.map { "\($0.label ?? "?")=\(String(describing: $0.value))" }
  }

  private func assertSame(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    let parsed = try RunCommand.parse(arguments)
    guard let common = RunCommand.parseCommonForm(arguments) else {
      return XCTFail("not taken as a common form: \(arguments)", file: file, line: line)
    }
    let expected = fields(parsed)
    let actual = fields(common)
    XCTAssertEqual(
      actual.count, 20, "RunCommand's properties changed: update RunCommand.defaults", file: file, line: line)
    XCTAssertFalse(actual.contains { $0.contains("*definition*") }, "\(actual)", file: file, line: line)
    XCTAssertEqual(actual, expected, "\(arguments)", file: file, line: line)
  }

  func testCommonFormsParseAsTheParserDoes() throws {
    let cases: [[String]] = [
      ["./app"],
      ["examples/bin/ratio", "-F", "5", "--name", "x"],
      ["-F", "999", "./app", "a", "b"],
      ["--freq", "4999", "--name", "fast", "--", "./app", "--flag"],
      ["--freq=250", "--name=n", "-n", "3", "./app"],
      ["--repeat", "2", "--env", "A=1", "--env=B=2", "--cwd", "/tmp", "--timeout", "10s", "make", "-j2"],
      ["--call-graph", "dwarf,8192", "--heatmap", "./app"],
      ["--call-graph=fp", "--off-cpu", "--alloc", "./app", "-F", "1"],
      ["--", "./app"],
      ["--", "--weird-name"],
      ["./app", "--", "x"],
      ["-F", "10", "--", "-F", "20"],
    ]
    for arguments in cases { try assertSame(arguments) }
  }

  func testOtherFormsAreLeftToTheParser() {
    let cases: [[String]] = [
      [],
      ["-F"],
      ["-F", "x", "./app"],
      ["-F", "-5", "./app"],
      ["-F999", "./app"],
      ["-F", "1", "-F", "2", "./app"],
      ["--name", "a", "--name", "b", "./app"],
      ["--heatmap", "--heatmap", "./app"],
      ["--heatmap=yes", "./app"],
      ["--trace", "^f$", "./app"],
      ["--sampler", "task", "./app"],
      ["--no-sample", "./app"],
      ["--help"],
      ["-h"],
      ["--freq", "999"],
      ["--unknown", "./app"],
      ["--name=", "./app"],
      ["--name", "", "./app"],
      ["--freq=", "./app"],
    ]
    for arguments in cases { XCTAssertNil(RunCommand.parseCommonForm(arguments), "\(arguments)") }
  }

  /// Every stored property, nested option groups included, as the wrappers print them.
  private func deepFields(_ value: Any) -> String { String(describing: value) }

  func testSummaryAndTopWordsParseAsTheParserDoes() throws {
    for arguments in [[], ["@prev"], ["2"]] as [[String]] {
      let common = try XCTUnwrap(SummaryCommand.parseCommonForm(arguments), "\(arguments)")
      XCTAssertEqual(deepFields(common), deepFields(try SummaryCommand.parse(arguments)))
      XCTAssertFalse(deepFields(common).contains("*definition*"))
    }
    for arguments in [[], ["10"], ["10", "@prev"], ["cpu"]] as [[String]] {
      let common = try XCTUnwrap(TopCommand.parseCommonForm(arguments), "\(arguments)")
      XCTAssertEqual(deepFields(common), deepFields(try TopCommand.parse(arguments)))
      XCTAssertFalse(deepFields(common).contains("*definition*"), deepFields(common))
      XCTAssertTrue(deepFields(common).contains("allThreads"), "nested groups are compared: \(deepFields(common))")
    }
    XCTAssertNil(SummaryCommand.parseCommonForm(["a", "b"]))
    XCTAssertNil(SummaryCommand.parseCommonForm(["--help"]))
    XCTAssertNil(TopCommand.parseCommonForm(["10", "--cum"]))
    XCTAssertNil(TopCommand.parseCommonForm(["--lines"]))
  }

  /// Validation still runs on a hand-parsed command, with the parser's words.
  func testValidationStillApplies() throws {
    let context = CapturedShell().context
    XCTAssertThrowsError(try CommandExecutor.run(words: ["run", "-n", "0", "./app"], in: context)) { error in
      XCTAssertTrue("\(error)".contains("-n takes a number of runs of at least 1"), "\(error)")
    }
    XCTAssertThrowsError(try CommandExecutor.run(words: ["run", "--env", "NOEQUALS", "./app"], in: context)) { error in
      XCTAssertTrue("\(error)".contains("--env takes K=V"), "\(error)")
    }
    XCTAssertThrowsError(try CommandExecutor.run(words: ["run", "--call-graph", "lbr", "./app"], in: context)) {
      error in
      XCTAssertTrue("\(error)".contains("--call-graph takes fp, dwarf"), "\(error)")
    }
  }
}

import PerfshTestSupport
import Shell
import XCTest

final class TokenizerTests: XCTestCase {
  private func words(_ line: String, arguments: [String] = [], environment: [String: String] = [:]) throws -> [[String]]
  {
    try Tokenizer(arguments: arguments, scriptName: "s.perfsh", environment: environment).tokenize(line).map(\.words)
  }

  func testSplitsOnBlanksAndSemicolons() throws {
    XCTAssertEqual(try words("top  10 ;list main;; echo"), [["top", "10"], ["list", "main"], ["echo"]])
    XCTAssertEqual(try words("   "), [])
  }

  func testQuotesAndEscapes() throws {
    XCTAssertEqual(try words(#"echo 'a b' "c d" e\ f"#), [["echo", "a b", "c d", "e f"]])
    XCTAssertEqual(try words(#"echo 'it''s' "say \"hi\"" a\;b"#), [["echo", "its", #"say "hi""#, "a;b"]])
    XCTAssertEqual(try words(#"echo "a\nb" 'x\y'"#), [["echo", #"a\nb"#, #"x\y"#]])
    XCTAssertEqual(try words(#"echo "" ''"#), [["echo", "", ""]])
    XCTAssertEqual(try words(#"echo "a;b # c""#), [["echo", "a;b # c"]])
  }

  func testCommentsStartOnlyAtAWord() throws {
    XCTAssertEqual(try words("echo a # the rest; echo b"), [["echo", "a"]])
    XCTAssertEqual(try words("# whole line"), [])
    XCTAssertEqual(try words("echo a#b"), [["echo", "a#b"]])
    XCTAssertEqual(try words("#!/usr/bin/env perfsh"), [])
  }

  func testPositionalVariables() throws {
    let arguments = ["one", "two words", "three"]
    XCTAssertEqual(try words("echo $1 $2 $3 $4", arguments: arguments), [["echo", "one", "two words", "three"]])
    XCTAssertEqual(try words("echo $@", arguments: arguments), [["echo", "one", "two words", "three"]])
    XCTAssertEqual(
      try words(#"echo "$@" x$1y $# $0"#, arguments: arguments),
      [["echo", "one two words three", "xoney", "3", "s.perfsh"]])
    XCTAssertEqual(try words("echo $@ end"), [["echo", "end"]])
    XCTAssertEqual(try words("echo '$1'", arguments: arguments), [["echo", "$1"]])
  }

  func testEnvironmentVariablesAndLiteralDollar() throws {
    let environment = ["HOME": "/home/me", "EMPTY": ""]
    XCTAssertEqual(
      try words("echo ${HOME}/x ${MISSING} \"${EMPTY}\"", environment: environment),
      [["echo", "/home/me/x", ""]])
    XCTAssertEqual(try words("top main$ $x 5$", environment: environment), [["top", "main$", "$x", "5$"]])
    XCTAssertEqual(try words(#"echo \${HOME}"#, environment: environment), [["echo", "${HOME}"]])
  }

  func testSessionReferencesAreMarkedOnlyWhenUnquoted() throws {
    let commands = try Tokenizer().tokenize(#"compare @prev @last '@last' a@b"#)
    XCTAssertEqual(commands.first?.tokens.map(\.kind), [.word, .sessionReference, .sessionReference, .word, .word])
    XCTAssertEqual(commands.first?.words, ["compare", "@prev", "@last", "@last", "a@b"])
    XCTAssertEqual(SessionReference("@last"), .last)
    XCTAssertEqual(SessionReference("@prev"), .previous)
    XCTAssertEqual(SessionReference("@12"), .id(12))
    XCTAssertEqual(SessionReference("@base"), .name("base"))
    XCTAssertNil(SessionReference("last"))
  }

  func testShellEscapeTakesTheRestOfTheLine() throws {
    XCTAssertEqual(try words(#"echo a; !ls -l "x y"; echo b"#), [["echo", "a"], ["!", #"ls -l "x y"; echo b"#]])
    XCTAssertEqual(try words("  !true"), [["!", "true"]])
  }

  func testSyntaxErrors() {
    XCTAssertThrowsError(try words("echo 'open")) { XCTAssertEqual("\($0)", "unterminated single quote") }
    XCTAssertThrowsError(try words(#"echo "open"#)) { XCTAssertEqual("\($0)", "unterminated double quote") }
    XCTAssertThrowsError(try words(#"echo end\"#)) { XCTAssertEqual("\($0)", "line ends with a backslash") }
    XCTAssertThrowsError(try words("echo ${HOME")) { XCTAssertEqual("\($0)", "unterminated ${") }
    XCTAssertThrowsError(try words("echo ${A-B}")) { XCTAssertEqual("\($0)", "bad variable name '${A-B}'") }
  }
}

final class TokenizerScaleTests: XCTestCase {
  /// A 200k-word command: a quadratic tokenizer (or executor) takes hours here, a linear one well under a second.
  func testHugeCommandTokenizesLinearly() throws {
    let count = 200_000
    var line = "echo"
    for i in 0..<count { line += i % 3 == 0 ? " w\(i)" : (i % 3 == 1 ? " 'q \(i)'" : " \"d\(i)\"") }
    let commands = try Tokenizer().tokenize(line)
    XCTAssertEqual(commands.count, 1)
    XCTAssertEqual(commands.first?.words.count, count + 1)
    XCTAssertEqual(commands.first?.words.last, "q \(count - 1)")  // 199,999 % 3 == 1: a single-quoted word
    XCTAssertEqual(commands.first?.words[2], "q 1")
  }

  /// The same through the executor: `echo` with 200k arguments prints them all on one line.
  func testHugeEchoRunsLinearly() throws {
    let count = 200_000
    let line = "echo" + String(repeating: " ab", count: count)
    let shell = CapturedShell()
    XCTAssertEqual(shell.runScript(line).exitStatus, 0, shell.stderr)
    XCTAssertEqual(shell.stdout.split(separator: " ").count, count)
  }
}

final class LongCommandTests: XCTestCase {
  func testLongEchoKeepsEveryWordInOrder() throws {
    // Past the parser's limit the passthrough tail still gets every word, option-like ones too.
    let shell = CapturedShell()
    let words = (0..<1000).map { "w\($0)" } + ["--flag-like"]
    XCTAssertEqual(shell.runScript("echo " + words.joined(separator: " ")).exitStatus, 0, shell.stderr)
    XCTAssertEqual(shell.stdout, words.joined(separator: " ") + "\n")
  }

  func testTooManyWordsForAFixedCommandIsAClearError() {
    let shell = CapturedShell()
    let outcome = shell.runScript("focus" + String(repeating: " x", count: 5000))
    XCTAssertEqual(outcome.exitStatus, 1)
    XCTAssertTrue(shell.stderr.contains("focus: 5000 arguments are too many (at most 256)"), shell.stderr)
  }
}

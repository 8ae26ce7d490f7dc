import Foundation
import PerfshTestSupport
import Shell
import XCTest

final class ScriptRunnerTests: XCTestCase {
  func testFirstFailingLineStopsTheScriptAndIsReportedOnce() {
    let shell = CapturedShell()
    let outcome = shell.runScript("echo one\n\n# note\nechoo two\necho three\n")
    XCTAssertEqual(outcome, ScriptRunner.Outcome(exitStatus: 1, failures: 1, quit: false))
    XCTAssertEqual(shell.stdout, "one\n")
    XCTAssertEqual(shell.stderr, "test.perfsh:4: unknown command 'echoo' (did you mean 'echo'?)\n")
  }

  func testKeepGoingRunsEveryLineAndStillFails() {
    let shell = CapturedShell()
    let outcome = shell.runScript("bad1\necho two\nset freq x\necho four", keepGoing: true)
    XCTAssertEqual(outcome, ScriptRunner.Outcome(exitStatus: 1, failures: 2, quit: false))
    XCTAssertEqual(shell.stdout, "two\nfour\n")
    XCTAssertEqual(
      shell.stderr.split(separator: "\n").map { String($0.prefix(14)) }, ["test.perfsh:1:", "test.perfsh:3:"])
  }

  func testFailureInTheMiddleOfALineSkipsTheRestOfThatLine() {
    let shell = CapturedShell()
    shell.runScript("echo a; nope; echo b", keepGoing: true)
    XCTAssertEqual(shell.stdout, "a\n")
  }

  func testQuitEndsTheScriptWithItsStatus() {
    let shell = CapturedShell()
    let outcome = shell.runScript("echo a\nexit 4\necho b")
    XCTAssertEqual(outcome, ScriptRunner.Outcome(exitStatus: 4, failures: 0, quit: true))
    XCTAssertEqual(shell.stdout, "a\n")
  }

  func testSourceRunsANestedScriptAndReportsItsOwnLine() throws {
    let directory = try ProcessRunner.temporaryDirectory("source")
    defer { try? FileManager.default.removeItem(at: directory) }
    let inner = directory.appendingPathComponent("inner.perfsh")
    try "echo inner $1\nbroken\n".write(to: inner, atomically: true, encoding: .utf8)
    let shell = CapturedShell()
    let outcome = shell.runScript("echo outer $1\nsource \(inner.path) x\necho not reached", arguments: ["o"])
    XCTAssertEqual(outcome.exitStatus, 1)
    XCTAssertEqual(shell.stdout, "outer o\ninner x\n")
    XCTAssertEqual(shell.stderr, "\(inner.path):2: unknown command 'broken'\n")
    XCTAssertNil(shell.context.position)
    XCTAssertEqual(shell.context.arguments, [])
  }

  func testSourceOfAMissingFileFails() {
    let shell = CapturedShell()
    shell.runScript("source /nonexistent/x.perfsh")
    XCTAssertEqual(shell.stderr, "test.perfsh:1: cannot read /nonexistent/x.perfsh: no such file\n")
  }

  func testShellEscapeRunsShAndFailsOnNonZeroStatus() {
    let shell = CapturedShell(environment: ["PATH": "/usr/bin:/bin"])
    let outcome = shell.runScript("!test \"$1\" = yes\n!exit 3", arguments: ["yes"])
    XCTAssertEqual(outcome.exitStatus, 1)
    XCTAssertEqual(shell.stderr, "test.perfsh:2: 'exit 3' exited with status 3\n")
  }
}

final class InteractiveShellTests: XCTestCase {
  func testBadCommandsPrintOnceAndTheShellGoesOn() {
    let shell = CapturedShell()
    let reader = ScriptedLineReader(lines: ["tpo", "echo still here", "  ", "history"])
    reader.events[1] = .interrupted
    XCTAssertEqual(shell.runInteractive(reader), 0)
    XCTAssertEqual(shell.stderr, "perfsh: unknown command 'tpo' (did you mean 'top'?)\n")
    XCTAssertEqual(shell.stdout, "still here\n  1  tpo\n  2  echo still here\n  3  history\n")
    XCTAssertEqual(reader.history, ["tpo", "echo still here", "history"])
    XCTAssertEqual(reader.prompts.first, "perfsh> ")
  }

  func testQuitStopsReadingWithItsStatus() {
    let shell = CapturedShell()
    let reader = ScriptedLineReader(lines: ["quit 2", "echo never"])
    XCTAssertEqual(shell.runInteractive(reader), 2)
    XCTAssertEqual(shell.stdout, "")
  }

  func testRCFileRunsFirstAndItsErrorsDoNotStopTheShell() throws {
    let home = try ProcessRunner.temporaryDirectory("rc")
    defer { try? FileManager.default.removeItem(at: home) }
    try "echo from rc\nbogus\nset freq 123\n".write(
      to: home.appendingPathComponent(".perfshrc"), atomically: true, encoding: .utf8)
    let shell = CapturedShell(environment: ["HOME": home.path])
    shell.runInteractive(ScriptedLineReader(lines: ["set freq"]), runRCFile: true)
    XCTAssertTrue(shell.stdout.hasPrefix("from rc\n"), shell.stdout)
    XCTAssertTrue(shell.stdout.contains("freq  123"), shell.stdout)
    XCTAssertEqual(shell.stderr, "\(home.path)/.perfshrc:2: unknown command 'bogus'\n")

    let skipped = CapturedShell(environment: ["HOME": home.path])
    skipped.runInteractive(ScriptedLineReader(lines: []), runRCFile: false)
    XCTAssertEqual(skipped.stdout, "")
  }

  func testCompleterIsInstalled() {
    let shell = CapturedShell()
    let reader = ScriptedLineReader(lines: [])
    shell.runInteractive(reader)
    XCTAssertEqual(reader.completer?("hel").candidates, ["help"])
  }
}

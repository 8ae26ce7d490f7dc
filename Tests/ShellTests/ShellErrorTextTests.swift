import Analysis
import Formats
import PerfshTestSupport
import Syscalls
import XCTest

@testable import Shell

/// Shell errors carry their facts and build their text in `ShellError.description`; the
/// texts are the ones users saw when each call site wrote its own string.
final class ShellErrorTextTests: XCTestCase {
  func testMessagesAreBuiltFromTheFacts() {
    XCTAssertEqual(
      ShellError.terminal(.notATerminal).description,
      "the interactive view needs a terminal (standard input is not one)")
    XCTAssertEqual(
      ShellError.terminal(.lineEditing(call: "el_init")).description, "cannot start line editing (el_init failed)")
    XCTAssertEqual(
      ShellError.terminal(.cannotReadSettings(errno: Errno(rawValue: ENOTTY))).description,
      "cannot read terminal settings: inappropriate ioctl for device")
    XCTAssertEqual(
      ShellError.process(program: "/bin/nope", step: .start, errno: Errno(rawValue: ENOENT)).description,
      "cannot start /bin/nope: no such file or directory")
    XCTAssertEqual(
      ShellError.process(program: "x", step: .wait, errno: Errno(rawValue: ECHILD)).description,
      "waiting for x: no child processes")
    XCTAssertEqual(
      ShellError.launchOption(.unknown(name: "--colour", suggestion: "--color"), usage: "usage: perfsh").description,
      "unknown option '--colour' (did you mean '--color'?)\nusage: perfsh")
    XCTAssertEqual(
      ShellError.launchOption(.missingValue(flag: "-c"), usage: "usage: perfsh").description,
      "option -c needs a value\nusage: perfsh")
    XCTAssertEqual(
      ShellError.badPercentage(command: "compare", option: "--threshold", example: "5 or 5%", value: "x").description,
      "compare: --threshold takes a percentage such as 5 or 5%, not 'x'")
    XCTAssertEqual(
      ShellError.badPercentage(command: nil, option: "--noise", example: "1 or 0.5%", value: "y").description,
      "--noise takes a percentage such as 1 or 0.5%, not 'y'")
    XCTAssertEqual(ShellError.assertUnavailable("s1 has no CPU time").description, "assert: s1 has no CPU time")
    XCTAssertEqual(ShellError.assertionFailed("elapsed 3ms < 2ms").description, "assertion failed: elapsed 3ms < 2ms")
    XCTAssertEqual(ShellError.noRunCaptured.description, "run -n: no run was captured")
    XCTAssertEqual(ShellError.badExitStatus(300).description, "quit: status must be 0 to 255, not 300")
    XCTAssertEqual(ShellError.emptyShellEscape.description, "!: expected a command after !")
    XCTAssertEqual(
      ShellError.sessionFile(.newerArchive(version: 2, supported: 1), file: "a.perfsh").description,
      "a.perfsh: " + FormatError.newerArchive(version: 2, supported: 1).description)
    XCTAssertEqual(ShellError.session(.noSessions).description, SessionError.noSessions.description)
    XCTAssertEqual(
      ShellError.analysis(.noMatches(pattern: "zz")).description, AnalysisError.noMatches(pattern: "zz").description)
  }

  /// A session reference to nothing reaches the script as the session error, not a string.
  func testCommandsThrowTheCaseWithItsFacts() {
    let shell = CapturedShell()
    XCTAssertThrowsError(try shell.context.session("7")) { error in
      guard case .session = error as? ShellError else { return XCTFail("\(error)") }
    }
    let outcome = shell.runScript("compare --noise abc 1 2\n")
    XCTAssertEqual(outcome.exitStatus, 1)
  }
}

import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// Tab completion of session references and of the current session's function names.
final class SessionCompletionTests: XCTestCase {
  func testSessionsAndFunctionsComplete() {
    let shell = CapturedShell()
    shell.context.sessions.add(profile: ProfileFixtures.cpu(), name: "baseline", source: .run(command: ["./app"]))
    shell.context.sessions.add(profile: ProfileFixtures.traced(), name: "traced", source: .run(command: ["./app"]))
    let completer = shell.context.completer
    XCTAssertEqual(completer.complete("use ").candidates, ["1", "2", "@last", "@prev", "baseline", "traced"])
    XCTAssertEqual(completer.complete("use ba").candidates, ["baseline"])
    XCTAssertEqual(completer.complete("info @l").candidates, ["@last"])
    // Functions come from the current session (the newest: traced).
    XCTAssertEqual(completer.complete("peek utils.U").candidates, ["utils.UnmarshalYAMLFromFile"])
    _ = try? shell.context.sessions.use("baseline")
    XCTAssertEqual(completer.complete("peek line1").candidates, ["line1000"])
    XCTAssertEqual(completer.complete("list line2").candidates, ["line2000", "line2001"])
  }

  func testNoSessionsCompleteToNothing() {
    let shell = CapturedShell()
    XCTAssertEqual(shell.context.completer.complete("use ").candidates, [])
    XCTAssertEqual(shell.context.completer.complete("peek ma").candidates, [])
  }
}

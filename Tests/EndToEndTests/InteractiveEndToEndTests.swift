import Foundation
import PerfshTestSupport
import XCTest

/// Drives the real interactive shell in a tmux terminal: typing, Up, Tab, Ctrl-C,
/// Ctrl-D, and history that survives a restart.
final class InteractiveEndToEndTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    home = try ProcessRunner.temporaryDirectory("tmux")
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: home)
  }

  private func startShell() throws -> TmuxSession {
    let session = try TmuxSession.perfshBehindShell(home: home, arguments: "--no-rc")
    let screen = try session.screen()
    XCTAssertTrue(screen.hasSuffix("perfsh>"), "no prompt; screen:\n\(screen)")
    return session
  }

  private func lastLine(_ screen: String) -> String {
    String(screen.split(separator: "\n", omittingEmptySubsequences: false).last ?? "")
  }

  func testLineEditingHistoryCompletionAndControlKeys() throws {
    let shell = try startShell()

    try shell.type("echo first command")
    try shell.sendKeys("Enter")
    var screen = try shell.waitForScreen { $0.hasSuffix("first command\nperfsh>") }
    XCTAssertTrue(screen.hasSuffix("perfsh> echo first command\nfirst command\nperfsh>"), screen)

    try shell.sendKeys("Up")
    screen = try shell.waitForScreen { self.lastLine($0) == "perfsh> echo first command" }
    XCTAssertEqual(lastLine(screen), "perfsh> echo first command", "Up did not recall; screen:\n\(screen)")
    try shell.sendKeys("Enter")
    screen = try shell.waitForScreen { $0.components(separatedBy: "\nfirst command\n").count == 3 }
    XCTAssertEqual(screen.components(separatedBy: "\nfirst command\n").count, 3, screen)

    // `he` is shared by `heatmap` and `help`; `hel` is not.
    try shell.type("hel")
    try shell.sendKeys("Tab")
    screen = try shell.waitForScreen { self.lastLine($0) == "perfsh> help" }
    XCTAssertEqual(lastLine(screen), "perfsh> help", "Tab did not complete; screen:\n\(screen)")
    try shell.sendKeys("C-u")

    try shell.type("echo half typed")
    _ = try shell.waitForScreen { self.lastLine($0) == "perfsh> echo half typed" }
    try shell.sendKeys("C-c")
    screen = try shell.waitForScreen { self.lastLine($0) == "perfsh>" }
    XCTAssertEqual(lastLine(screen), "perfsh>", "Ctrl-C did not give a fresh prompt; screen:\n\(screen)")
    try shell.type("echo after interrupt")
    try shell.sendKeys("Enter")
    screen = try shell.waitForScreen { $0.hasSuffix("after interrupt\nperfsh>") }
    XCTAssertTrue(screen.contains("\nafter interrupt\n"), screen)
    XCTAssertFalse(screen.contains("half typedecho"), screen)
    XCTAssertFalse(screen.contains("\nhalf typed"), "the cleared line ran; screen:\n\(screen)")

    try shell.type("tpo")
    try shell.sendKeys("Enter")
    screen = try shell.waitForScreen {
      $0.hasSuffix("(did you mean 'top'?)\nperfsh>") || $0.hasSuffix("'tpo'\nperfsh>")
    }
    XCTAssertTrue(screen.contains("perfsh: unknown command 'tpo'"), screen)

    try shell.sendKeys("C-d")
    let status = try shell.exitStatus()
    let finalScreen = try shell.screen()
    XCTAssertEqual(status, 0, "Ctrl-D did not exit; screen:\n\(finalScreen)")

    let historyFile = home.appendingPathComponent("state/perfsh/history")
    let attributes = try FileManager.default.attributesOfItem(atPath: historyFile.deletingLastPathComponent().path)
    XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)

    let again = try startShell()
    try again.sendKeys("Up")
    screen = try again.waitForScreen { self.lastLine($0) == "perfsh> tpo" }
    XCTAssertEqual(lastLine(screen), "perfsh> tpo", "history lost across restart; screen:\n\(screen)")
    try again.sendKeys("Up")
    screen = try again.waitForScreen { self.lastLine($0) == "perfsh> echo after interrupt" }
    XCTAssertEqual(lastLine(screen), "perfsh> echo after interrupt", screen)
    try again.sendKeys("C-u")
    try again.type("history")
    try again.sendKeys("Enter")
    screen = try again.waitForScreen { $0.contains("history\nperfsh>") }
    XCTAssertTrue(screen.contains("1  echo first command"), screen)
    XCTAssertFalse(screen.contains("half typed"), screen)
    try again.type("quit 4")
    try again.sendKeys("Enter")
    XCTAssertEqual(try again.exitStatus(), 4)
  }
}

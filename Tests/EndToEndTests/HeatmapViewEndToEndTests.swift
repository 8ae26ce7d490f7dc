import Foundation
import PerfshTestSupport
import XCTest

/// The interactive heatmap in a real terminal (tmux): modes, selection, details, filter,
/// quitting, and the terminal restored afterwards.
final class HeatmapViewEndToEndTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    home = try GoToolchain.temporaryDirectory("e2e-heatmap")
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: home)
  }

  /// A shell command line that runs perfsh hermetically (no colour, so the selection shows as `>`).
  private func commandLine(_ perfshArguments: String, then after: String = "") throws -> String {
    try TmuxSession.uncolouredCommandLine(home: home, perfshArguments, then: after)
  }

  func testRunWithHeatmapOpensTheViewAndRestoresTheTerminal() throws {
    try PerfEvents.skipUnlessAvailable()
    let ratio = try Workloads.path("ratio")
    let tmux = try TmuxSession(
      command:
        "sh -c \"\(try commandLine("run --heatmap \(ratio)", then: "; echo STATUS=\\$?; stty -a | tr ' ' '\\\\n' | grep -x -e icanon -e -icanon -e echo -e -echo; echo DONE; sleep 30"))\"",
      columns: 110, rows: 40)
    var screen = try tmux.waitForScreen { $0.contains("Performance Heatmap - Bar Chart") && $0.contains("hot60") }
    XCTAssertTrue(screen.contains("Performance Heatmap - Bar Chart"), screen)
    XCTAssertTrue(screen.contains("Sampled session"), "the legend says what a sampled session can show:\n\(screen)")
    XCTAssertTrue(
      screen.split(separator: "\n").contains { $0.hasPrefix("> hot60") }, "the first row is selected:\n\(screen)")

    // A narrower terminal: the view redraws to fit, bars shrink, numbers stay whole.
    try tmux.resize(columns: 60, rows: 40)
    screen = try tmux.waitForScreen { s in
      s.split(separator: "\n").contains { $0.hasPrefix("> hot60") && $0.contains("samples:") && $0.count <= 60 }
    }
    XCTAssertTrue(
      screen.split(separator: "\n").contains { $0.hasPrefix("> hot60") && $0.contains("samples:") && $0.count <= 60 },
      "redrawn for 60 columns:\n\(screen)")
    XCTAssertTrue(screen.split(separator: "\n").allSatisfy { $0.count <= 60 }, screen)
    try tmux.resize(columns: 110, rows: 40)
    // Back to full width before going on: the 81-column legend line fits again.
    screen = try tmux.waitForScreen {
      $0.contains("Count: # calls (incl. recursion) | CPU Time: sum of self-time (excludes children)")
    }

    try tmux.type("2")
    screen = try tmux.waitForScreen { $0.contains("Sparkline") }
    XCTAssertTrue(screen.contains("Performance Heatmap - Sparkline"), screen)
    try tmux.type("3")
    screen = try tmux.waitForScreen { $0.contains("Performance Heatmap - Table") }
    XCTAssertTrue(screen.contains("CPU Time") && screen.contains("P95"), screen)

    try tmux.type("j")
    screen = try tmux.waitForScreen { screen in
      screen.split(separator: "\n").contains { $0.hasPrefix("> warm30") }
    }
    XCTAssertTrue(
      screen.split(separator: "\n").contains { $0.hasPrefix("> warm30") }, "j moves to the second row:\n\(screen)")
    try tmux.type("k")
    screen = try tmux.waitForScreen { s in s.split(separator: "\n").contains { $0.hasPrefix("> hot60") } }
    XCTAssertTrue(screen.split(separator: "\n").contains { $0.hasPrefix("> hot60") }, "k moves back:\n\(screen)")

    try tmux.sendKeys("Enter")
    screen = try tmux.waitForScreen { $0.contains("Function: hot60") }
    XCTAssertTrue(screen.contains("Function: hot60") && screen.contains("Callers and callees"), screen)
    XCTAssertTrue(screen.contains("main"), "the caller is listed:\n\(screen)")
    try tmux.sendKeys("Escape")
    screen = try tmux.waitForScreen { $0.contains("CPU Time") && !$0.contains("Function: hot60") }
    XCTAssertFalse(screen.contains("Function: hot60"), "Esc returns to the table:\n\(screen)")

    try tmux.type("/cool")
    try tmux.sendKeys("Enter")
    screen = try tmux.waitForScreen { $0.contains("filter: cool") && !$0.contains("warm30") }
    XCTAssertTrue(
      screen.contains("cool10") && !screen.contains("warm30"), "the name filter keeps matching rows only:\n\(screen)")

    try tmux.type("q")
    screen = try tmux.waitForScreen { $0.contains("DONE") }
    XCTAssertTrue(screen.contains("STATUS=0"), screen)
    XCTAssertFalse(screen.contains("Performance Heatmap"), "the alternate screen was left:\n\(screen)")
    let modes = screen.split(separator: "\n").map(String.init)
    XCTAssertTrue(
      modes.contains("icanon") && modes.contains("echo"), "the terminal is back in cooked mode with echo:\n\(screen)")
  }

  func testHeatmapInsideTheShellReturnsToThePrompt() throws {
    try PerfEvents.skipUnlessAvailable()
    let ratio = try Workloads.path("ratio")
    let tmux = try TmuxSession(
      command: "sh -c \"trap : INT; \(try commandLine("--no-rc", then: "; echo STATUS=\\$?; sleep 30"))\"",
      columns: 100, rows: 35)
    try tmux.waitForScreen { $0.contains("perfsh>") }
    try tmux.type("run \(ratio)")
    try tmux.sendKeys("Enter")
    try tmux.waitForScreen { $0.contains("[1] ratio") }
    try tmux.type("heatmap -i table")
    try tmux.sendKeys("Enter")
    var screen = try tmux.waitForScreen { $0.contains("Performance Heatmap - Table") }
    XCTAssertTrue(screen.contains("hot60"), screen)
    try tmux.type("1")
    screen = try tmux.waitForScreen { $0.contains("Performance Heatmap - Bar Chart") }
    XCTAssertTrue(screen.contains("█"), "bars are drawn:\n\(screen)")
    try tmux.sendKeys("Escape")
    screen = try tmux.waitForScreen { !$0.contains("Performance Heatmap") && $0.contains("perfsh>") }
    try tmux.type("sessions")
    try tmux.sendKeys("Enter")
    screen = try tmux.waitForScreen { $0.contains("* [1] ratio") }
    XCTAssertTrue(screen.contains("* [1] ratio"), "the prompt works after the view:\n\(screen)")
    try tmux.sendKeys("C-d")
    screen = try tmux.waitForScreen { $0.contains("STATUS=") }
    XCTAssertTrue(screen.contains("STATUS=0"), "Ctrl-D leaves the shell with status 0:\n\(screen)")
  }

  func testOneShotRunOnATerminalOpensTheShellAndExitsWithTheCommandsStatus() throws {
    try PerfEvents.skipUnlessAvailable()
    let crash = try Workloads.path("crash")
    let tmux = try TmuxSession(
      command: "sh -c \"trap : INT; \(try commandLine("--no-rc run \(crash)", then: "; echo STATUS=\\$?; sleep 30"))\"",
      columns: 100, rows: 30)
    var screen = try tmux.waitForScreen { $0.contains("perfsh>") }
    XCTAssertTrue(screen.contains("[1] crash"), "the session line is printed:\n\(screen)")
    try tmux.type("sessions")
    try tmux.sendKeys("Enter")
    screen = try tmux.waitForScreen { $0.contains("* [1] crash") }
    XCTAssertTrue(screen.contains("* [1] crash"), "the run is the current session:\n\(screen)")
    try tmux.sendKeys("C-d")
    screen = try tmux.waitForScreen { $0.contains("STATUS=") }
    XCTAssertTrue(screen.contains("STATUS=139"), "perfsh exits with the command's status (SIGSEGV):\n\(screen)")
  }
}

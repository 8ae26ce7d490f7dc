import Foundation
import PerfshTestSupport
import XCTest

/// The shell `perfsh run CMD` opens on a terminal: `quit N` ends perfsh with N, Ctrl-D
/// with CMD's status.
final class OneShotShellEndToEndTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    home = try ProcessRunner.temporaryDirectory("tmux-oneshot")
  }

  override func tearDownWithError() throws {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  private func start(_ command: String) throws -> TmuxSession {
    let session = try TmuxSession.perfshBehindShell(home: home, arguments: "--no-rc run \(command)")
    let screen = try session.screen()
    XCTAssertTrue(screen.hasSuffix("perfsh>"), "no prompt after the run; screen:\n\(screen)")
    return session
  }

  func testQuitWithAStatusEndsPerfshWithIt() throws {
    let shell = try start("/bin/false")
    try shell.type("quit 3")
    try shell.sendKeys("Enter")
    XCTAssertEqual(try shell.exitStatus(), 3)
  }

  func testControlDKeepsTheCommandsStatus() throws {
    let shell = try start("/bin/false")
    try shell.sendKeys("C-d")
    XCTAssertEqual(try shell.exitStatus(), 1, "/bin/false's status")
  }
}

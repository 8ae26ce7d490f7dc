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
    let binary = try PerfshBinary.url().path
    let environment = try PerfshBinary.environment(home: home)
    let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
    let script = "\"$0\" --no-rc run \(command); echo \"[perfsh exited $?]\"; exec sleep 3600"
    let session = try TmuxSession(command: "env -i \(assignments) /bin/sh -c '\(script)' '\(binary)'")
    let screen = try session.waitForScreen { $0.hasSuffix("perfsh>") }
    XCTAssertTrue(screen.hasSuffix("perfsh>"), "no prompt after the run; screen:\n\(screen)")
    return session
  }

  private func exitStatus(_ shell: TmuxSession) throws -> Int32? {
    let screen = try shell.waitForScreen { $0.contains("[perfsh exited ") }
    guard let range = screen.range(of: "[perfsh exited ") else { return nil }
    return Int32(screen[range.upperBound...].prefix { $0.isNumber })
  }

  func testQuitWithAStatusEndsPerfshWithIt() throws {
    let shell = try start("/bin/false")
    try shell.type("quit 3")
    try shell.sendKeys("Enter")
    XCTAssertEqual(try exitStatus(shell), 3)
  }

  func testControlDKeepsTheCommandsStatus() throws {
    let shell = try start("/bin/false")
    try shell.sendKeys("C-d")
    XCTAssertEqual(try exitStatus(shell), 1, "/bin/false's status")
  }
}

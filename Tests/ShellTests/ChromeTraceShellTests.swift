import Foundation
import PerfshTestSupport
import XCTest

@testable import Shell

/// `load` of Chrome trace JSON and `export speedscope|chrome` through the shell: the exact
/// text of the warnings, the heatmap of a loaded trace, and the errors for misuse.
final class ChromeTraceShellTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "perfsh-chrome-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    if let directory { try? FileManager.default.removeItem(at: directory) }
  }

  static let trace = """
    [{"name":"thread_name","ph":"M","pid":1,"tid":7,"args":{"name":"main"}},
    {"name":"parse","ph":"X","pid":1,"tid":7,"ts":0,"dur":1000},
    {"name":"lex","ph":"X","pid":1,"tid":7,"ts":100,"dur":250.5},
    {"name":"lex","ph":"B","pid":1,"tid":7,"ts":400},
    {"name":"lex","ph":"E","pid":1,"tid":7,"ts":500},
    {"name":"bad","ph":"X","pid":1,"tid":7,"ts":600,"dur":-3},
    {"ph":"E","pid":1,"tid":9,"ts":5},
    {"name":"late","ph":"B","pid":1,"tid":9,"ts":7}]
    """

  func testLoadWarnsOncePerKindAndTheHeatmapShowsWallTimes() throws {
    let file = directory.appendingPathComponent("w.json")
    try Self.trace.write(to: file, atomically: true, encoding: .utf8)
    let shell = CapturedShell()
    let outcome = shell.runScript("load \(file.path); heatmap table")
    XCTAssertEqual(outcome.exitStatus, 0, shell.stderr)
    XCTAssertEqual(
      shell.stderr,
      """
      perfsh: \(file.path): left out 1 event with a negative duration
      perfsh: \(file.path): left out 1 end (E) event with no begin (B) on their thread
      perfsh: \(file.path): left out 1 begin (B) event never ended

      """)
    XCTAssertEqual(
      shell.stdout.split(separator: "\n").suffix(3).joined(separator: "\n"),
      """
      Function      Count CPU Time      Avg      Max      P95
      parse             1  649.5µs  649.5µs  649.5µs  649.5µs
      lex               2  350.5µs  175.2µs  250.5µs  250.5µs
      """)
    XCTAssertTrue(shell.stdout.contains("Times: wall time per call"), shell.stdout)
  }

  func testExportChromeAndSpeedscopeOfALoadedTrace() throws {
    let file = directory.appendingPathComponent("w.json")
    try Self.trace.write(to: file, atomically: true, encoding: .utf8)
    let chrome = directory.appendingPathComponent("again.json")
    let speedscope = directory.appendingPathComponent("s.json")
    let shell = CapturedShell()
    let outcome = shell.runScript(
      "load \(file.path); export chrome --max-events 2 \(chrome.path); export speedscope \(speedscope.path); load \(chrome.path); heatmap table"
    )
    XCTAssertEqual(outcome.exitStatus, 0, shell.stderr)
    XCTAssertTrue(
      shell.stderr.contains(
        "perfsh: export: wrote the first 2 of 3 calls (--max-events 2); raise --max-events to write the other 1\n"),
      shell.stderr)
    // The first two calls by start: parse and the lex at 100 µs (the one at 400 µs is left out).
    XCTAssertEqual(
      shell.stdout.split(separator: "\n").suffix(2).joined(separator: "\n"),
      """
      parse             1  749.5µs  749.5µs  749.5µs  749.5µs
      lex               1  250.5µs  250.5µs  250.5µs  250.5µs
      """)
    XCTAssertTrue(FileManager.default.fileExists(atPath: speedscope.path))
  }

  func testMisusedOptionsAreClearErrors() throws {
    let shell = CapturedShell()
    let out = directory.appendingPathComponent("x.json").path
    shell.context.keepGoing = true
    XCTAssertNotEqual(shell.runScript("load \(directory.path)/nothing.json").exitStatus, 0)
    let file = directory.appendingPathComponent("w.json")
    try Self.trace.write(to: file, atomically: true, encoding: .utf8)
    XCTAssertEqual(shell.runScript("load \(file.path)").exitStatus, 0)
    XCTAssertNotEqual(shell.runScript("export speedscope --clock wall \(out)").exitStatus, 0)
    XCTAssertNotEqual(shell.runScript("export pprof --max-events 5 \(out)").exitStatus, 0)
    XCTAssertNotEqual(shell.runScript("export chrome --max-events 0 \(out)").exitStatus, 0)
    XCTAssertTrue(
      shell.stderr.contains(
        "--clock and --raw apply to pprof, csv and json (speedscope writes samples and raw single calls)"), shell.stderr
    )
    XCTAssertTrue(shell.stderr.contains("export: --max-events applies to chrome only"), shell.stderr)
    XCTAssertTrue(shell.stderr.contains("export: --max-events must be at least 1"), shell.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: out))
  }
}

import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// Golden files for the shell's own text: the run line, `sessions`, `info`, `summary` and
/// `help`, over fixed sessions (a sampled run with lost and unparsed records, a traced run),
/// so a change to any of them shows up as a diff (re-record with RECORD_SNAPSHOTS=1).
final class ShellGoldenTests: XCTestCase {
  /// A sampled run as `run` leaves it, with records lost by the kernel and records perfsh
  /// could not parse.
  static func sampledRun() -> Profile {
    var p = FixtureProfiles.rich()
    p.run.command = ["./app", "--input", "big file.yaml"]
    p.run.termination = .exited(0)
    p.run.elapsedNanos = 412_000_000
    p.run.cpuNanos = 398_000_000
    p.run.lostRecords = 3
    p.run.unparsedRecords = 2
    p.run.notes = ["call graph: frame pointers"]
    return p
  }

  /// A traced run: the fixture's exact call statistics with run facts.
  static func tracedRun() -> Profile {
    var p = ProfileFixtures.traced()
    p.run.command = ["./parser", "big.yaml"]
    p.run.termination = .exited(1)
    p.run.notes = ["traced 5 functions with uprobes: 502239 calls"]
    return p
  }

  private func shell() -> CapturedShell {
    let shell = CapturedShell()
    _ = shell.context.addSession(
      Self.sampledRun(), name: "app", source: .run(command: ["./app", "--input", "big file.yaml"]))
    _ = shell.context.addSession(Self.tracedRun(), name: "parser", source: .run(command: ["./parser", "big.yaml"]))
    return shell
  }

  func testRunLinesGolden() {
    assertSnapshot(shell().stdout, named: "run-lines")
  }

  func testSessionsGolden() {
    let s = shell()
    let before = s.stdout.count
    XCTAssertEqual(s.runScript("sessions\n").exitStatus, 0, s.stderr)
    assertSnapshot(String(s.stdout.dropFirst(before)), named: "sessions")
  }

  func testInfoGolden() {
    let s = shell()
    let before = s.stdout.count
    XCTAssertEqual(s.runScript("info 1\ninfo 2\n").exitStatus, 0, s.stderr)
    let text = String(s.stdout.dropFirst(before))
    XCTAssertTrue(text.contains("Unparsed records: 2"), text)
    assertSnapshot(text, named: "info")
  }

  func testSummaryGolden() {
    let s = shell()
    let before = s.stdout.count
    XCTAssertEqual(s.runScript("use 1\nsummary\nuse 2\nsummary\n").exitStatus, 0, s.stderr)
    let text = String(s.stdout.dropFirst(before))
    XCTAssertTrue(text.contains("Lost: 3 | Unparsed: 2"), text)
    assertSnapshot(text, named: "summary")
  }

  func testHelpGolden() {
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("help\n").exitStatus, 0, s.stderr)
    assertSnapshot(s.stdout, named: "help")
  }

  /// The run line says what was lost and what could not be parsed.
  func testRunLineNamesUnparsedRecords() {
    XCTAssertTrue(shell().stdout.contains("lost 3  unparsed 2"), shell().stdout)
  }
}

import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// The `compare` command: defaults, argument errors, and sessions from different sources.
final class CompareCommandTests: XCTestCase {
  private func shell() -> CapturedShell {
    let shell = CapturedShell()
    shell.context.sessions.add(profile: AssertTests.sampled(parseMillis: 60), name: "old", source: .file(path: "old.pb.gz", format: "pprof"))
    shell.context.sessions.add(profile: AssertTests.sampled(parseMillis: 90, elapsedMillis: 450), name: "new", source: .run(command: ["./app"]))
    return shell
  }

  func testDefaultsToPrevAndLast() {
    let s = shell()
    XCTAssertEqual(s.runScript("compare\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.hasPrefix("=== perfsh Compare: A = [1] old | B = [2] new ===\n"), s.stdout)
    XCTAssertTrue(s.stdout.contains("      60ms       90ms      +30ms     +50.0%  parse_doc\n"), s.stdout)
    XCTAssertTrue(s.stdout.contains("One run on each side"), s.stdout)
  }

  func testRowLimitSortAndThreshold() {
    let s = shell()
    XCTAssertEqual(s.runScript("compare old new 1 --sort name --threshold 10%\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.contains("  parse_doc\n"), s.stdout)
    XCTAssertFalse(s.stdout.contains("  scan\n"), s.stdout)
  }

  func testBadArguments() {
    let s = shell()
    XCTAssertEqual(s.runScript("compare @prev\n").exitStatus, 1)
    XCTAssertTrue(s.stderr.contains("name two sessions"), s.stderr)
    XCTAssertEqual(s.runScript("compare 1 2 --threshold lots\n").exitStatus, 1)
    XCTAssertTrue(s.stderr.contains("--threshold takes a percentage"), s.stderr)
    XCTAssertEqual(s.runScript("compare 1 7\n").exitStatus, 1)
    XCTAssertTrue(s.stderr.contains("no session '7'"), s.stderr)
  }
}

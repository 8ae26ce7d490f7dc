import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// The `compare` command: defaults, argument errors, and sessions from different sources.
final class CompareCommandTests: XCTestCase {
  private func shell() -> CapturedShell {
    let shell = CapturedShell()
    shell.context.sessions.add(
      profile: AssertTests.sampled(parseMillis: 60), name: "old", source: .file(path: "old.pb.gz", format: "pprof"))
    shell.context.sessions.add(
      profile: AssertTests.sampled(parseMillis: 90, elapsedMillis: 450), name: "new", source: .run(command: ["./app"]))
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

  func testClockWallComparesWallTimesOnBothSides() {
    func traced(wallMillis: Int64) -> Profile {
      var p = AssertTests.traced()
      for id in p.callStatistics.keys {
        p.callStatistics[id]?.wall = CallTimes(
          selfNanos: wallMillis * 1_000_000, totalNanos: wallMillis * 1_000_000, maxSelfNanos: 1, p95SelfNanos: 1)
      }
      return p
    }
    let s = CapturedShell()
    s.context.sessions.add(profile: traced(wallMillis: 800), name: "a", source: .run(command: ["./app"]))
    s.context.sessions.add(profile: traced(wallMillis: 1200), name: "b", source: .run(command: ["./app"]))
    XCTAssertEqual(s.runScript("compare\n").exitStatus, 0, s.stderr)
    XCTAssertFalse(s.stdout.contains("+50.0%"), "CPU times are equal: \(s.stdout)")
    let before = s.stdout.count
    XCTAssertEqual(s.runScript("compare --clock wall\n").exitStatus, 0, s.stderr)
    let wall = String(s.stdout.dropFirst(before))
    XCTAssertTrue(
      wall.contains("     800ms       1.2s     +400ms     +50.0%      40000      40000       20µs       30µs"), wall)
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

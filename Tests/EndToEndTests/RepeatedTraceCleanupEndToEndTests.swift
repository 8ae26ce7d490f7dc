import Foundation
import PerfshTestSupport
import XCTest

/// `run -n 2 --trace` on the BPF path: each run's uprobe definitions are released in the
/// background while the next run starts, and every one of them must be gone from tracefs
/// when perfsh exits (the next run's child once held copies of the last run's events, so
/// their definitions stayed busy and were left behind).
final class RepeatedTraceCleanupEndToEndTests: XCTestCase {
  func testRepeatedBPFTraceRunsLeaveNoUprobeDefinitions() throws {
    try PerfEvents.skipUnlessAvailable()
    try XCTSkipIf(geteuid() != 0, "tracefs needs root")
    let calls = try Workloads.path("calls")
    // The shell prints its pid and becomes perfsh, so the group name is known.
    let script = """
      echo $$; exec "$0" -c "set tracebackend bpf
      run -n 2 --trace '^inner$' --trace '^outer$' \(calls)
      info"
      """
    let home = try ProcessRunner.temporaryDirectory("trace-cleanup")
    defer { try? FileManager.default.removeItem(at: home) }
    let result = try ProcessRunner.run(
      URL(fileURLWithPath: "/bin/sh"), ["-c", script, try PerfshBinary.url().path],
      environment: try PerfshBinary.environment(home: home))
    if result.stderr.contains("BPF cannot be used here") {
      throw XCTSkip("BPF is not available here: \(result.stderr)")
    }
    XCTAssertEqual(result.status, 0, result.stderr)
    let pid = try XCTUnwrap(result.stdout.split(separator: "\n").first.flatMap { Int32($0) }, result.stdout)
    XCTAssertTrue(result.stdout.contains("(bpf)"), result.stdout)
    let events = (try? String(contentsOfFile: "/sys/kernel/tracing/uprobe_events", encoding: .utf8)) ?? ""
    XCTAssertFalse(events.contains("perfsh_\(pid)/"), events)
    XCTAssertFalse(result.stderr.contains("left by perfsh"), result.stderr)
  }
}

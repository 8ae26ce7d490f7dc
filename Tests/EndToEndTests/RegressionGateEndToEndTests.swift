import Foundation
import PerfshTestSupport
import XCTest

/// `examples/regression-gate.perfsh` through the built binary, the way a CI job runs it:
/// two repeated captures of a bundled workload, compare, asserts; then the same gate
/// with a limit the workload breaks, which must fail at that line with exit status 1.
final class RegressionGateEndToEndTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  override func setUpWithError() throws {
    let build = try ProcessRunner.run(Self.root.appendingPathComponent("scripts/build-examples"), [])
    try XCTSkipIf(build.status != 0, "scripts/build-examples failed: \(build.stderr)")
    let probe = try ProcessRunner.run(URL(fileURLWithPath: "/bin/cat"), ["/proc/sys/kernel/perf_event_paranoid"])
    try XCTSkipIf(
      getuid() != 0 && (Int(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 3) > 2,
      "perf events are not permitted here")
  }

  private func runPerfsh(_ arguments: [String]) throws -> ProcessResult {
    let home = try ProcessRunner.temporaryDirectory("gate")
    defer { try? FileManager.default.removeItem(at: home) }
    return try PerfshBinary.run(arguments, environment: try PerfshBinary.environment(home: home), directory: Self.root)
  }

  func testTheBundledGatePasses() throws {
    try PerfEvents.skipUnlessAvailable()
    let result = try runPerfsh(["examples/regression-gate.perfsh"])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stdout.contains("=== perfsh Compare: A = [1] baseline | B = [2] candidate ==="), result.stdout)
    XCTAssertTrue(result.stdout.contains("means over 5 (A) and 5 (B) runs; p: Mann–Whitney U"), result.stdout)
    XCTAssertTrue(result.stdout.contains("Runs: 5 ("), "summary shows the repeats")
    let oks = result.stdout.split(separator: "\n").filter { $0.hasPrefix("assert ok: ") }
    XCTAssertEqual(oks.count, 5, result.stdout)
    XCTAssertTrue(result.stderr.contains("run 5/5:"), result.stderr)
  }

  func testABrokenLimitFailsTheScriptAtItsLine() throws {
    let dir = try ProcessRunner.temporaryDirectory("gate-fail")
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = dir.appendingPathComponent("strict.perfsh")
    try """
    run examples/bin/ratio
    assert self("hot60") < 20%
    echo not reached
    """.write(to: script, atomically: true, encoding: .utf8)
    let result = try runPerfsh([script.path])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(
      result.stderr.contains("strict.perfsh:2: assertion failed: self(hot60) < 20%: measured "), result.stderr)
    XCTAssertTrue(result.stderr.contains("of the total"), result.stderr)
    XCTAssertFalse(result.stdout.contains("not reached"))
  }

  func testTracedMetricsOnASampledRunSayToUseTrace() throws {
    try PerfEvents.skipUnlessAvailable()
    let result = try runPerfsh(["-c", "run examples/bin/ratio; assert calls(hot60) == 1"])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(result.stderr.contains("was sampled: capture it with run --trace PATTERN"), result.stderr)
  }
}

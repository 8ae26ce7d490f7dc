import Foundation
import PerfshTestSupport
import XCTest

/// `run --trace` through the built perfsh binary, on the bundled calls workloads.
final class TraceEndToEndTests: TracedWorkloadTestCase {
  override class var homePrefix: String { "trace-e2e" }

  /// `[name: count]` from the rows of `heatmap table`.
  private func counts(_ table: String) -> [String: Int] {
    var result: [String: Int] = [:]
    for line in table.split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      if f.count >= 2, let n = Int(f[1].replacingOccurrences(of: ",", with: "")) { result[String(f[0])] = n }
    }
    return result
  }

  func testHeatmapShowsExactCounts() throws {
    let r = try perfsh(#"run --trace "^inner$" --trace "^outer$" examples/bin/calls; heatmap table"#)
    XCTAssertEqual(r.status, 0, r.stderr)
    let c = counts(r.stdout)
    XCTAssertEqual(c["inner"], 40_000, r.stdout)
    XCTAssertEqual(c["outer"], 400, r.stdout)
  }

  func testRepeatedTracedRunsAddUpTheirCounts() throws {
    let r = try perfsh(#"run -n 2 --no-sample --trace "^outer$" examples/bin/calls; heatmap table"#)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(counts(r.stdout)["outer"], 800, r.stdout)
  }

  func testExportedPprofCarriesCallsAndSelfTime() throws {
    guard GoToolchain.goPath != nil else { throw XCTSkip("go is not installed") }
    let file = home.appendingPathComponent("trace.pb.gz")
    let r = try perfsh(#"run --no-sample --trace "^inner$" --trace "^outer$" examples/bin/calls; export pprof "# + file.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    let calls = try GoToolchain.pprofTop(file, sampleIndex: "calls")
    XCTAssertEqual(calls["inner"]?.flat, 40_000)
    XCTAssertEqual(calls["outer"]?.flat, 400)
    let selfTime = try GoToolchain.pprofTop(file, sampleIndex: "self")
    XCTAssertGreaterThan(selfTime["inner"]?.flat ?? 0, 0)
  }

  func testTraceTopTracesTheHottestFunctionsOfASampledSession() throws {
    let r = try perfsh("run examples/bin/calls; trace-top 2; heatmap table")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("tracing 2 functions:"), r.stdout)
    let c = counts(r.stdout)
    XCTAssertEqual(c["inner"], 40_000, r.stdout)
    XCTAssertEqual(c["outer"], 400, r.stdout)
  }

  func testPatternMatchingNothingSuggestsCloseNames() throws {
    let r = try perfsh(#"run --trace "^innr$" examples/bin/calls"#)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("matches no function"), r.stderr)
    XCTAssertTrue(r.stderr.contains("inner"), r.stderr)
  }

  func testTooManyFunctionsNeedTraceMax() throws {
    let r = try perfsh(#"run --trace-max 2 --trace "." examples/bin/calls"#)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("--trace-max"), r.stderr)
  }

  func testGoProgramGetsEntryProbesOnlyAndCompletes() throws {
    guard let go = GoToolchain.goPath else { throw XCTSkip("go is not installed") }
    let binary = home.appendingPathComponent("gocalls")
    let source = Self.root.appendingPathComponent("examples/workloads/gocalls/main.go").path
    let build = try ProcessRunner.run(
      URL(fileURLWithPath: go), ["build", "-o", binary.path, source],
      environment: ["HOME": home.path, "GOCACHE": home.appendingPathComponent("gocache").path, "PATH": "/usr/bin:/bin"])
    XCTAssertEqual(build.status, 0, build.stderr)
    let r = try perfsh(#"run --trace '^main\.leaf$' "# + binary.path + "; heatmap table; info")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("gocalls done"), r.stdout)
    XCTAssertEqual(counts(r.stdout)["main.leaf"], 50_000, r.stdout)
    XCTAssertTrue(r.stdout.contains("entry probes only"), r.stdout)
  }
}

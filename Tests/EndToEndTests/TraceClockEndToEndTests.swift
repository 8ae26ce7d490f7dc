import Foundation
import PerfshTestSupport
import XCTest

/// CPU vs wall time of traced calls through the built perfsh: `--clock wall` on heatmap,
/// top and export, `--raw`, `assert wall(…)`, and the legend saying what was subtracted.
final class TraceClockEndToEndTests: TracedWorkloadTestCase {
  override class var homePrefix: String { "trace-clock-e2e" }

  func testSleeperShowsWallTimeButNoCPUTime() throws {
    let cpuCSV = home.appendingPathComponent("cpu.csv")
    let wallCSV = home.appendingPathComponent("wall.csv")
    let truth = home.appendingPathComponent("truth.txt")
    let script = """
      run --no-sample --trace '^pc_sleep$' --trace '^pc_big$' examples/bin/percall \(truth.path)
      assert wall("pc_sleep") > 9.9ms
      assert avg("pc_sleep") < 1ms
      assert wall("pc_big") >= avg("pc_big")
      heatmap table
      heatmap table --clock wall
      top --clock wall
      heatmap table --raw
      export csv \(cpuCSV.path)
      export csv --clock wall \(wallCSV.path)
      info
      """
    let r = try perfsh(script)
    XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    XCTAssertTrue(r.stdout.contains("Times: the thread's CPU time per call"), r.stdout)
    XCTAssertTrue(r.stdout.contains("Times: wall time per call"), r.stdout)
    XCTAssertTrue(r.stdout.contains("per traced call subtracted (--raw keeps it)"), r.stdout)
    XCTAssertTrue(r.stdout.contains("raw: probe cost not subtracted"), r.stdout)
    XCTAssertTrue(r.stdout.contains("times are wall time per call"), r.stdout)
    // The ring path measures the probe cost during the run, the BPF path its own before it.
    XCTAssertTrue(
      r.stdout.contains("per traced call measured during the run")
        || r.stdout.contains("per traced call measured on the BPF path before the run"), r.stdout)
    let cpu = parseHeatmapCSV(try String(contentsOf: cpuCSV, encoding: .utf8))
    let wall = parseHeatmapCSV(try String(contentsOf: wallCSV, encoding: .utf8))
    XCTAssertEqual(cpu["pc_sleep"]?.count, 10)
    XCTAssertEqual(wall["pc_sleep"]?.count, 10)
    XCTAssertLessThan(cpu["pc_sleep"]?.cpuNanos ?? .max, 10_000_000, "10 calls of about no CPU each")
    XCTAssertGreaterThanOrEqual(wall["pc_sleep"]?.cpuNanos ?? 0, 99_000_000, "10 calls of 10 ms wall each")
  }

  func testPprofExportCarriesTheChosenClock() throws {
    guard GoToolchain.goPath != nil else { throw XCTSkip("go is not installed") }
    let cpu = home.appendingPathComponent("cpu.pb.gz")
    let wall = home.appendingPathComponent("wall.pb.gz")
    let truth = home.appendingPathComponent("truth.txt")
    let r = try perfsh(
      "run --no-sample --trace '^pc_sleep$' examples/bin/percall \(truth.path); export pprof \(cpu.path); export pprof --clock wall \(wall.path)"
    )
    XCTAssertEqual(r.status, 0, r.stderr)
    let cpuTop = try GoToolchain.pprofTop(cpu, sampleIndex: "self")
    let wallTop = try GoToolchain.pprofTop(wall, sampleIndex: "self")
    XCTAssertLessThan(cpuTop["pc_sleep"]?.flat ?? .max, 10_000_000)
    XCTAssertGreaterThanOrEqual(wallTop["pc_sleep"]?.flat ?? 0, 99_000_000)
    XCTAssertEqual(try GoToolchain.pprofTop(wall, sampleIndex: "calls")["pc_sleep"]?.flat, 10)
  }

  func testWallOfASampledSessionIsRefused() throws {
    let r = try perfsh("run examples/bin/ratio; assert wall(\"hot60\") > 1ms")
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("needs exact call counts"), r.stderr)
  }
}

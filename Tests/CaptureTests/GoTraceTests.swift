import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import Symbolize
import XCTest

/// Go tracing on real Go programs (examples/workloads/gotrace, built with `go build` here):
/// entry probes after the stack check, probes on every RET, calls paired per goroutine.
final class GoTraceTests: XCTestCase {
  override func setUpWithError() throws {
    try PerfEvents.skipUnlessAvailable()
    guard FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/uprobe/type") else {
      throw XCTSkip("the kernel has no uprobe PMU")
    }
    guard GoToolchain.goPath != nil else { throw XCTSkip("go is not installed (scripts/test installs golang-go)") }
  }

  func testRecursionWithStackGrowthCountsExactlyEveryRun() throws {
    let binary = try GoWorkload.binary()
    for _ in 0..<2 {
      let run = try GoWorkload.trace(["^main\\.deep$"], binary: binary, arguments: ["deep"])
      XCTAssertEqual(run.capture.profile.run.termination, .exited(0))
      XCTAssertEqual(run.trace.lostRecords, 0)
      XCTAssertEqual(run.trace.statistics[0].calls, 100_050)
      XCTAssertEqual(run.trace.statistics[0].unmatchedEntries, 0)
      XCTAssertEqual(run.trace.unmatchedReturns, 0)
      XCTAssertTrue(run.trace.statistics[0].hasDurations)
    }
  }

  func testAMillionStackGrowthsCountExactly() throws {
    let binary = try GoWorkload.binary()
    let run = try GoWorkload.trace(
      ["^main\\.grow$", "^runtime\\.newstack$"], binary: binary, arguments: ["grow", "1000000"])
    XCTAssertEqual(run.capture.profile.run.termination, .exited(0))
    XCTAssertEqual(run.trace.lostRecords, 0)
    XCTAssertEqual(run.trace.statistics[0].calls, 1_000_000)
    XCTAssertEqual(run.trace.statistics[0].unmatchedEntries, 0)
    XCTAssertEqual(run.trace.unmatchedReturns, 0)
    // Every call of grow needed a bigger stack: the runtime grew stacks at least 10^6 times.
    XCTAssertGreaterThanOrEqual(run.trace.statistics[1].calls + run.trace.statistics[1].unmatchedEntries, 1_000_000)
  }

  /// Both sides are timings on a shared 2-core machine: a burst of other work during the
  /// program's own measurement or during the traced calls moves one side only (CI once saw
  /// perfsh's CPU mean 13 % above the program's in one run). A correct tracer is within bounds
  /// in almost every attempt, a wrong one (probe cost left in, wall time counted as CPU) in none,
  /// so the best of three attempts keeps the test able to fail; every attempt is reported.
  func testDurationsMatchTheProgramsOwnMeasurement() throws {
    let binary = try GoWorkload.binary()
    var report: [String] = []
    for attempt in 1...3 {
      let run = try GoWorkload.trace(["^main\\.timed$"], binary: binary, arguments: ["timed", "300"])
      let own = try XCTUnwrap(run.output)
      let timed = run.trace.statistics[0]
      XCTAssertEqual(timed.calls, 300)
      // The program reads its thread's CPU clock around each call, so its numbers hold both
      // probes' whole traps; perfsh takes out the probe cost it measured during the run.
      let cost = Double(run.trace.probeCost.perCallNanos)
      XCTAssertGreaterThan(cost, 0, "the probe cost was measured")
      let wall = try XCTUnwrap(timed.wall)
      XCTAssertLessThanOrEqual(timed.selfNanos, wall.selfNanos, "CPU time never exceeds wall time")
      var off: [String] = []
      func check(_ what: String, _ value: Double, _ expected: Double, _ fraction: Double) {
        if abs(value - expected) > expected * fraction {
          off.append("\(what) \(Int(value)) ns vs \(Int(expected)) ns (±\(Int(fraction * 100)) %)")
        }
      }
      check("CPU Avg", Double(try XCTUnwrap(timed.averageSelfNanos)), Double(own.cpuMean) - cost, 0.05)
      check("CPU P95", Double(try XCTUnwrap(timed.p95SelfNanos)), Double(own.cpuP95) - cost, 0.10)
      // Wall time (time.Now deltas): measured bias under this machine's load (2 CPUs shared,
      // load 9-17) is 4-10 % below the program's, so ±15 %.
      check("wall Avg", Double(wall.selfNanos) / Double(timed.calls), Double(own.mean) - cost, 0.15)
      if off.isEmpty { return }
      report.append("attempt \(attempt): " + off.joined(separator: "; ") + " (the program's own \(own), cost \(cost))")
    }
    XCTFail("Go per-call times outside tolerance in all 3 attempts:\n" + report.joined(separator: "\n"))
  }

  func testGoroutinesThatBlockAndMoveThreadsPairExactly() throws {
    let binary = try GoWorkload.binary()
    let run = try GoWorkload.trace(["^main\\.relay$"], binary: binary, arguments: ["handoff", "300"])
    let own = try XCTUnwrap(run.output)
    let relay = run.trace.statistics[0]
    XCTAssertEqual(relay.calls, 1_200)
    XCTAssertEqual(relay.unmatchedEntries, 0)
    XCTAssertEqual(run.trace.unmatchedReturns, 0)
    let wall = try XCTUnwrap(relay.wall)
    let mean = Double(wall.selfNanos) / Double(relay.calls)
    // Measured bias on this machine (2 CPUs shared, load 9-17): perfsh's wall Avg 4-9 % below
    // the program's own mean for these blocking calls (5 runs), so ±12 % here, not ±5 %.
    let expected = Double(own.mean) - Double(run.trace.probeCost.perCallNanos)
    XCTAssertEqual(mean, expected, accuracy: expected * 0.12, "wall Avg vs the program's mean \(own)")
    // Blocked and parked time is wall time, not the goroutine's CPU time.
    XCTAssertLessThan(relay.selfNanos, wall.selfNanos)
  }

  func testPanicAndRecoverThroughTracedFrames() throws {
    let binary = try GoWorkload.binary()
    let run = try GoWorkload.trace(["^main\\.guard$", "^main\\.risky$"], binary: binary, arguments: ["panic", "3000"])
    XCTAssertEqual(run.capture.profile.run.termination, .exited(0))
    let guardStats = run.trace.statistics[0]
    let risky = run.trace.statistics[1]
    XCTAssertEqual(guardStats.calls, 3_000, "every guard returns, recovered or not")
    XCTAssertEqual(guardStats.unmatchedEntries, 0)
    XCTAssertEqual(risky.calls, 2_000, "risky returns two times in three")
    XCTAssertEqual(risky.unmatchedEntries, 1_000, "and panics once in three: did not return")
    XCTAssertEqual(run.trace.unmatchedReturns, 0)
  }

  func testMethodValueWrapperIsTraced() throws {
    let binary = try GoWorkload.binary()
    let run = try GoWorkload.trace(
      ["^main\\.\\(\\*counter\\)\\.add-fm$", "^main\\.\\(\\*counter\\)\\.add$"], binary: binary,
      arguments: ["method", "5000"])
    XCTAssertEqual(run.sites.map(\.name), ["main.(*counter).add-fm", "main.(*counter).add"])
    XCTAssertEqual(run.trace.statistics.map(\.calls), [5_000, 5_000])
    XCTAssertEqual(run.trace.statistics.map(\.unmatchedEntries), [0, 0])
    XCTAssertEqual(run.trace.unmatchedReturns, 0)
    // The wrapper's callee time is exactly add's: paired on the same goroutine. Checked on the
    // measured (raw) times: the probe-cost correction clamps a tiny wrapper's self time at zero
    // when the calibration measures a large cost, which would break the identity, not the pairing.
    let fm = run.trace.statistics[0]
    let add = run.trace.statistics[1]
    let fmTimes = fm.rawCPU ?? fm.times
    let addTimes = add.rawCPU ?? add.times
    XCTAssertEqual(fmTimes.totalNanos - fmTimes.selfNanos, addTimes.totalNanos)
  }

  func testStrippedBinaryTracesTheSameThroughGopclntab() throws {
    let binary = try GoWorkload.binary(stripped: true)
    let sites = try ProbeSiteResolver(executable: binary).resolve(["^main\\.deep$"])
    XCTAssertEqual(sites.count, 1)
    XCTAssertNotNil(sites.first?.go, "placed from the decoded code")
    let run = try GoWorkload.trace(["^main\\.deep$"], binary: binary, arguments: ["deep"])
    XCTAssertEqual(run.trace.statistics[0].calls, 100_050)
    XCTAssertEqual(run.trace.unmatchedReturns, 0)
    XCTAssertTrue(run.trace.statistics[0].hasDurations)
  }
}

/// Builds and traces examples/workloads/gotrace.
enum GoWorkload {
  struct Run {
    var capture: CaptureResult
    var trace: TraceResult
    var sites: [ProbeSite]
    /// The program's own line (calls, mean_ns, p95_ns).
    var output: Own?
  }

  /// The numbers the program measured itself.
  struct Own: CustomStringConvertible {
    var calls: Int64
    /// Wall time per call (time.Now deltas).
    var mean: Int64
    var p95: Int64
    /// The thread's CPU time per call (timed mode).
    var cpuMean: Int64
    var cpuP95: Int64
    var description: String {
      "calls \(calls) wall mean \(mean) ns p95 \(p95) ns, CPU mean \(cpuMean) ns p95 \(cpuP95) ns"
    }
  }

  /// The workload built once per test process (`-ldflags='-s -w'` when `stripped`).
  static func binary(stripped: Bool = false) throws -> String {
    try (stripped ? builtStripped : built).get()
  }

  private static let built = build(stripped: false)
  private static let builtStripped = build(stripped: true)

  private static func build(stripped: Bool) -> Result<String, Workloads.WorkloadError> {
    guard let go = GoToolchain.goPath else { return .failure(Workloads.WorkloadError(message: "go is not installed")) }
    do {
      let dir = try GoToolchain.temporaryDirectory("gotrace")
      let source = Workloads.root.appendingPathComponent("examples/workloads/gotrace/main.go").path
      let out = dir.appendingPathComponent(stripped ? "gotrace-stripped" : "gotrace").path
      var command = [go, "build", "-o", out]
      if stripped { command.append("-ldflags=-s -w") }
      command.append(source)
      setenv("GOCACHE", FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-gocache").path, 0)
      try GoToolchain.run(command, in: dir)
      return .success(out)
    } catch {
      return .failure(Workloads.WorkloadError(message: "go build failed: \(error)"))
    }
  }

  /// Traces `patterns` in `binary` run with `arguments`, the way `run --trace` does.
  static func trace(_ patterns: [String], binary: String, arguments: [String]) throws -> Run {
    let sites = try ProbeSiteResolver(executable: binary).resolve(patterns)
    let probes = sites.map { site in
      TraceProbe(
        path: site.path, fileOffset: site.probeFileOffset, probesReturns: false,
        returnOffsets: (site.go?.returnOffsets ?? []).map { site.fileOffset + $0 },
        exitOffsets: (site.go?.exitOffsets ?? []).map { site.fileOffset + $0 },
        restartOffsets: (site.go?.restartOffsets ?? []).map { site.fileOffset + $0 }, readsGoroutine: site.go != nil)
    }
    let execute = try ProbeSiteResolver.functions(in: binary).first { $0.name == "runtime.execute" }
    let scheduler = execute.map { GoSchedulerProbe(path: $0.path, fileOffset: $0.fileOffset) }
    let tracer = try UprobeTracer(probes: probes, ringDataPages: 2048, calibrateDuringRun: true, goScheduler: scheduler)
    let outFile = FileManager.default.temporaryDirectory.appendingPathComponent(
      "perfsh-gotrace-\(UUID().uuidString).txt")
    defer { try? FileManager.default.removeItem(at: outFile) }
    let capture = try CommandCapture().run(
      CaptureRequest(arguments: [binary] + arguments, environment: ["GOTRACE_OUT": outFile.path]), companion: tracer,
      sample: false)
    return Run(capture: capture, trace: tracer.result(), sites: sites, output: own(outFile))
  }

  private static func own(_ file: URL) -> Own? {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
    var values: [String: Int64] = [:]
    for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
      let kv = field.split(separator: "=")
      if kv.count == 2, let v = Int64(kv[1]) { values[String(kv[0])] = v }
    }
    guard let calls = values["calls"] else { return nil }
    return Own(
      calls: calls, mean: values["mean_ns"] ?? 0, p95: values["p95_ns"] ?? 0, cpuMean: values["cpu_mean_ns"] ?? 0,
      cpuP95: values["cpu_p95_ns"] ?? 0)
  }
}

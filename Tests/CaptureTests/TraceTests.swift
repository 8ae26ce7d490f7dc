import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

/// Real uprobes on real child processes, checked against the workloads' constructed counts.
final class TraceTests: XCTestCase {
  override func setUpWithError() throws {
    try PerfEvents.skipUnlessAvailable()
    guard FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/uprobe/type") else {
      throw XCTSkip("the kernel has no uprobe PMU")
    }
  }

  func testCountsAreExactEveryRun() throws {
    let calls = try Workloads.binary("calls")
    for _ in 0..<2 {
      let (capture, trace) = try TraceWorkloads.trace(["inner", "outer", "recurse"], binary: calls)
      XCTAssertEqual(capture.profile.run.termination, .exited(0))
      XCTAssertEqual(trace.lostRecords, 0)
      XCTAssertEqual(trace.statistics.map(\.calls), [40_000, 400, 1_000])
      XCTAssertEqual(trace.statistics.map(\.unmatchedEntries), [0, 0, 0])
      XCTAssertEqual(trace.unmatchedReturns, 0)
      XCTAssertGreaterThan(capture.sampleRecords, 0, "sampling runs alongside tracing")
    }
  }

  func testOuterSelfTimeExcludesInner() throws {
    let calls = try Workloads.binary("calls")
    let (_, trace) = try TraceWorkloads.trace(["inner", "outer"], binary: calls)
    let inner = trace.statistics[0]
    let outer = trace.statistics[1]
    // Every inner call is made by outer, so outer's callee time is exactly inner's total.
    XCTAssertEqual(outer.selfNanos, outer.totalNanos - inner.totalNanos)
    // outer's own loop is half its work by construction (OUTER_WORK = 100 × INNER_WORK);
    // probe overhead lands on both sides, so allow a wide band that still excludes the
    // sum (share 1.0) and nothing (share 0).
    let share = Double(outer.selfNanos) / Double(outer.totalNanos)
    XCTAssertGreaterThan(share, 0.3, "outer's self share \(share)")
    XCTAssertLessThan(share, 0.75, "outer's self share \(share)")
    XCTAssertLessThan(outer.selfNanos, outer.totalNanos)
    XCTAssertEqual(inner.selfNanos, inner.totalNanos, "inner calls nothing traced")
    XCTAssertGreaterThanOrEqual(inner.maxSelfNanos, inner.p95SelfNanos ?? .max)
    XCTAssertGreaterThan(inner.p95SelfNanos ?? 0, 0)
  }

  func testRecursionCountsEveryLevelWithoutDoubleCounting() throws {
    let calls = try Workloads.binary("calls")
    let (_, trace) = try TraceWorkloads.trace(["recurse"], binary: calls)
    let r = trace.statistics[0]
    XCTAssertEqual(r.calls, 1_000)
    XCTAssertEqual(r.unmatchedEntries, 0)
    // 50 chains of depth 20: the self times of one chain add up to its outermost call's
    // duration; totalNanos sums every level (so about 10.5× the outermost durations).
    XCTAssertLessThan(r.selfNanos, r.totalNanos / 5)
    XCTAssertGreaterThan(r.selfNanos, 0)
  }

  func testRecursionSelfTimesSumToTheOutermostCalls() throws {
    // With outer traced too, recurse() chains are roots: the sum of their self times must
    // equal the sum of the outermost durations, which is what totalNanos of the roots is.
    let calls = try Workloads.binary("calls")
    let (_, trace) = try TraceWorkloads.trace(["recurse", "main"], binary: calls)
    let recurse = trace.statistics[0]
    let main = trace.statistics[1]
    XCTAssertEqual(main.calls, 1)
    // main's callees traced are only the 50 chain roots: its self = total − Σ root durations,
    // and Σ root durations = Σ self of every level (no double counting).
    XCTAssertEqual(main.totalNanos - main.selfNanos, recurse.selfNanos)
  }

  func testTwoThreadsSumCountsWithoutMixingDurations() throws {
    let binary = try Workloads.binary("calls_threads")
    let (capture, trace) = try TraceWorkloads.trace(["inner", "worker"], binary: binary)
    XCTAssertEqual(capture.profile.run.termination, .exited(0))
    let inner = trace.statistics[0]
    let worker = trace.statistics[1]
    XCTAssertEqual(inner.calls, 40_000)
    XCTAssertEqual(worker.calls, 2)
    XCTAssertEqual(inner.unmatchedEntries + worker.unmatchedEntries, 0)
    XCTAssertEqual(trace.unmatchedReturns, 0)
    // Each worker's callee time is exactly its own thread's inner calls: paired per thread,
    // worker's self is its total minus all inner durations, and never clamped to zero.
    XCTAssertEqual(worker.selfNanos, worker.totalNanos - inner.totalNanos)
    XCTAssertGreaterThan(worker.selfNanos, 0)
  }

  func testEntryOnlyProbesCountWithoutDurations() throws {
    let calls = try Workloads.binary("calls")
    let (_, trace) = try TraceWorkloads.trace(["inner"], binary: calls, entryOnly: true, sample: false)
    let inner = trace.statistics[0]
    XCTAssertEqual(inner.calls, 40_000)
    XCTAssertFalse(inner.hasDurations)
    XCTAssertNil(inner.p95SelfNanos)
    XCTAssertNil(inner.averageSelfNanos)
  }

  func testGoProgramWithEntryProbesCompletesWithExactCounts() throws {
    let go = try TraceWorkloads.goBinary()
    let (capture, trace) = try TraceWorkloads.trace(["main.leaf"], binary: go, entryOnly: true)
    XCTAssertEqual(capture.profile.run.termination, .exited(0))
    XCTAssertEqual(trace.statistics[0].calls, 50_000)
  }

  func testPMUBackendCountsTheInitialThread() throws {
    let calls = try Workloads.binary("calls")
    let probes = [
      TraceProbe(path: calls, fileOffset: try TraceWorkloads.offset(of: "inner", in: calls), probesReturns: true)
    ]
    let tracer = try UprobeTracer(probes: probes, backend: .pmu)
    let capture = try CommandCapture().run(CaptureRequest(arguments: [calls]), companion: tracer, sample: false)
    XCTAssertEqual(capture.profile.run.termination, .exited(0))
    XCTAssertEqual(tracer.result().statistics[0].calls, 40_000)
    XCTAssertEqual(tracer.result().statistics[0].unmatchedEntries, 0)
  }

  func testTracefsDefinitionsAreRemovedAfterARun() throws {
    let calls = try Workloads.binary("calls")
    _ = try TraceWorkloads.trace(["outer"], binary: calls, sample: false)
    BackgroundRelease.waitForAll()  // probes are released in the background; perfsh waits at exit
    let events = (try? String(contentsOfFile: "/sys/kernel/tracing/uprobe_events", encoding: .utf8)) ?? ""
    XCTAssertFalse(events.contains("perfsh_\(getpid())/"), events)
  }

  func testNoSampleRunsTheTracerAlone() throws {
    let calls = try Workloads.binary("calls")
    let (capture, trace) = try TraceWorkloads.trace(["outer"], binary: calls, sample: false)
    XCTAssertEqual(capture.sampleRecords, 0)
    XCTAssertEqual(trace.statistics[0].calls, 400)
  }
}

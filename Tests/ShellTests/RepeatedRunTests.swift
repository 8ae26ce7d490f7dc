import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// `run -n N` merging: samples summed over runs, each run's numbers kept, means for the
/// whole-run metrics, and an early stop when a run fails.
final class RepeatedRunTests: XCTestCase {
  /// One run: `work` has `millis` of self time; a traced `leaf` with the given p95.
  private func run(_ millis: Int64, elapsed: Int64, p95: Int64, exit: Int32 = 0, extra: String? = nil) -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    // A different function first in some runs, so ids differ between profiles.
    if let extra {
      let label = Label(key: b.intern("thread"), string: b.intern(extra))
      b.addSample(rootFirstNames: ["main", extra], values: [1, 1_000_000], labels: [label])
    }
    b.addSample(rootFirstNames: ["main", "work"], values: [millis, millis * 1_000_000])
    let leaf = b.function("leaf")
    b.withProfile {
      $0.run.elapsedNanos = elapsed
      $0.run.cpuNanos = millis * 1_000_000
      $0.run.termination = .exited(exit)
      $0.run.command = ["./app"]
      $0.callStatistics[leaf] = CallStatistics(
        calls: 10, selfNanos: 100, totalNanos: 100, maxSelfNanos: 20, p95SelfNanos: p95)
    }
    return b.build()
  }

  func testRunsMergeIntoOneSessionKeepingEveryRepeat() throws {
    let runs = [
      run(10, elapsed: 100, p95: 5), run(20, elapsed: 200, p95: 9, extra: "other"), run(30, elapsed: 600, p95: 7),
    ]
    let shell = CapturedShell()
    let merged = try RepeatedRun.capture(times: 3, context: shell.context) { i throws(ShellError) in runs[i - 1] }
    XCTAssertEqual(merged.repeats.count, 3)
    XCTAssertEqual(merged.repeats.map(\.elapsedNanos), [100, 200, 600])
    XCTAssertEqual(merged.repeats[1].selfNanos["work"], 20_000_000)
    XCTAssertEqual(merged.repeats[1].selfNanos["other"], 1_000_000)
    XCTAssertEqual(merged.run.elapsedNanos, 300, "elapsed is the mean per run")
    XCTAssertEqual(merged.run.cpuNanos, 20_000_000)
    let times = try FunctionTimes(profile: merged)
    XCTAssertEqual(times.selfValue["work"], 60_000_000, "samples are summed over runs")
    XCTAssertEqual(times.selfValue["other"], 1_000_000)
    let labelled = (0..<merged.samples.count).filter { merged.samples.labelSets[$0] != .none }
    XCTAssertEqual(labelled.count, 1)
    let label = try XCTUnwrap(labelled.first.map { merged.labelSets[merged.samples.labelSets[$0]] }?.first)
    XCTAssertEqual(merged.string(label.key), "thread")
    XCTAssertEqual(merged.string(label.string), "other")
    let leaf = try XCTUnwrap(FunctionTimes.callStatistics(of: merged)["leaf"])
    XCTAssertEqual(leaf.calls, 30)
    XCTAssertEqual(leaf.p95SelfNanos, 7, "the median of the runs' P95s")
    XCTAssertTrue(shell.stderr.contains("perfsh: run 3/3: elapsed 600ns"), shell.stderr)
  }

  func testAFailingRunStopsTheRepeats() throws {
    let shell = CapturedShell()
    var calls = 0
    let merged = try RepeatedRun.capture(times: 5, context: shell.context) { i throws(ShellError) in
      calls += 1
      return run(10, elapsed: 100, p95: 1, exit: i == 2 ? 3 : 0)
    }
    XCTAssertEqual(calls, 2)
    XCTAssertEqual(merged.repeats.count, 2)
    XCTAssertEqual(merged.run.termination, .exited(3))
    XCTAssertTrue(shell.stderr.contains("stopped after run 2 of 5 (the command failed)"), shell.stderr)
  }

  func testASingleRunIsLeftAsItIs() throws {
    let shell = CapturedShell()
    let merged = try RepeatedRun.capture(times: 1, context: shell.context) { _ throws(ShellError) in
      run(10, elapsed: 100, p95: 1)
    }
    XCTAssertTrue(merged.repeats.isEmpty)
    XCTAssertEqual(merged.run.elapsedNanos, 100)
    XCTAssertEqual(merged.run, run(10, elapsed: 100, p95: 1).run)
    XCTAssertEqual(shell.stderr, "")
  }
}

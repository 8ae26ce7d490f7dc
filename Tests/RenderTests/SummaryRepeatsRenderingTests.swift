import PerfshTestSupport
import Render
import XCTest

/// The summary block of a `run -n N` session: means with a 95% CI, median, range, spread.
final class SummaryRepeatsRenderingTests: XCTestCase {
  func testRepeatsBlock() {
    var facts = SummaryFacts(
      command: "./app", exit: "0", elapsedNanos: 14_000_000, cpuNanos: 12_000_000, functions: 3, samples: 60, lost: 0)
    facts.repeats = [
      SummaryRepeatMetric(name: "Elapsed", nanoseconds: [10_000_000, 12_000_000, 14_000_000, 16_000_000, 18_000_000]),
      SummaryRepeatMetric(name: "CPU Time", nanoseconds: [12_000_000, 12_000_000, 12_000_000, 12_000_000, 12_000_000]),
    ]
    assertSnapshot(SummaryRenderer.lines(facts).joined(separator: "\n") + "\n", named: "summary-repeats")
  }

  func testNoBlockForASingleRun() {
    var facts = SummaryFacts(elapsedNanos: 14_000_000)
    facts.repeats = [SummaryRepeatMetric(name: "Elapsed", nanoseconds: [14_000_000])]
    XCTAssertFalse(SummaryRenderer.lines(facts).contains { $0.hasPrefix("Runs:") })
  }
}

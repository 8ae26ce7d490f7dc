import ProfileModel
import XCTest

@testable import Shell

/// The slowdown estimate trace-top makes before arming probes, and what it does with it.
final class TraceCostEstimateTests: XCTestCase {
  func testStoppedTrialGivesALowerBoundFromTheProbeShare() {
    // 75 % of the trial's CPU in probe handling: at least 1 / (1 − 0.75) = 4×.
    let e = TraceCostEstimate(
      calls: 40_000, probeShare: 0.75, trialCPUNanos: 200_000_000, completed: false, untracedCPUNanos: 3_000_000_000)
    XCTAssertEqual(e.slowdown, 4, accuracy: 1e-9)
    XCTAssertTrue(e.isLowerBound)
    XCTAssertEqual(e.perCallNanos, 3_750)
    XCTAssertEqual(e.slowdownText(), "at least 4.0× slower (over 12s of CPU instead of 3s)")
    XCTAssertEqual(
      e.basisText, "40000 traced calls in a 0.3s trial run, 75% of its CPU in probe handling (3.75µs per call)")
    // Nearly all of it: the bound stops at 20×.
    let saturated = TraceCostEstimate(
      calls: 1, probeShare: 0.999, trialCPUNanos: 1, completed: false, untracedCPUNanos: 0)
    XCTAssertEqual(saturated.slowdown, 20, accuracy: 1e-9)
    XCTAssertEqual(saturated.slowdownText(), "at least 20× slower")
  }

  func testCompletedTrialIsExact() {
    let e = TraceCostEstimate(
      calls: 400, probeShare: 0.01, trialCPUNanos: 330_000_000, completed: true, untracedCPUNanos: 300_000_000)
    XCTAssertFalse(e.isLowerBound)
    XCTAssertEqual(e.slowdown, 1.1, accuracy: 1e-9)
    XCTAssertEqual(e.slowdownText(), "about 1.1× slower (~330ms of CPU instead of 300ms)")
  }

  func testConfirmationAsksOnATerminalStopsAScriptAndYesGoesOn() {
    let heavy = TraceCostEstimate(
      calls: 1_000_000, probeShare: 0.9, trialCPUNanos: 1, completed: false, untracedCPUNanos: 0)
    let light = TraceCostEstimate(calls: 10, probeShare: 0.05, trialCPUNanos: 1, completed: false, untracedCPUNanos: 0)
    XCTAssertEqual(
      TraceConfirmation.decide(estimate: light, yes: false, confirmSetting: true, interactive: false), .proceed)
    XCTAssertEqual(
      TraceConfirmation.decide(estimate: heavy, yes: false, confirmSetting: true, interactive: false), .refuse)
    XCTAssertEqual(TraceConfirmation.decide(estimate: heavy, yes: false, confirmSetting: true, interactive: true), .ask)
    XCTAssertEqual(
      TraceConfirmation.decide(estimate: heavy, yes: true, confirmSetting: true, interactive: false), .proceed)
    XCTAssertEqual(
      TraceConfirmation.decide(estimate: heavy, yes: false, confirmSetting: false, interactive: false), .proceed)
  }

  func testProbeHandlingFramesAreRecognised() {
    for name in ["asm_exc_int3 [k]", "uprobe_notify_resume [k]", "__x64_sys_uretprobe", "exc_debug_user [k]"] {
      XCTAssertTrue(TraceCostEstimate.isProbeHandling(name), name)
    }
    for name in ["main", "irqentry_exit_to_user_mode [k]", "do_syscall_64 [k]"] {
      XCTAssertFalse(TraceCostEstimate.isProbeHandling(name), name)
    }
  }
}

import ProfileModel
import XCTest

/// Traced calls have one home (`Profile.callStatistics`), one merge rule
/// (`CallStatistics.merged`), and `validate()` refuses a profile whose repeats or carrier
/// samples disagree with it.
final class CallStatisticsHomeTests: XCTestCase {
  private func stats(_ calls: Int64, self s: Int64, max m: Int64, p95: Int64?, wall: CallTimes? = nil) -> CallStatistics
  {
    CallStatistics(calls: calls, selfNanos: s, totalNanos: 2 * s, maxSelfNanos: m, p95SelfNanos: p95, wall: wall)
  }

  func testMergeAddsSumsKeepsMaxAndTakesTheUpperMedianP95() throws {
    let wall = CallTimes(selfNanos: 10, totalNanos: 20, maxSelfNanos: 5, p95SelfNanos: 4)
    let parts = [
      stats(10, self: 100, max: 30, p95: 20, wall: wall), stats(20, self: 300, max: 50, p95: 40, wall: wall),
      stats(5, self: 50, max: 90, p95: 10, wall: wall),
    ]
    let m = try XCTUnwrap(CallStatistics.merged(parts))
    XCTAssertEqual(m.calls, 35)
    XCTAssertEqual(m.selfNanos, 450)
    XCTAssertEqual(m.totalNanos, 900)
    XCTAssertEqual(m.maxSelfNanos, 90)
    XCTAssertEqual(m.p95SelfNanos, 20, "upper median of 10, 20, 40")
    XCTAssertEqual(m.wall, CallTimes(selfNanos: 30, totalNanos: 60, maxSelfNanos: 5, p95SelfNanos: 4))
    // Two parts: the larger P95 (what matching two same-named functions used to take).
    XCTAssertEqual(CallStatistics.merged(parts.prefix(2))?.p95SelfNanos, 40)
    // The order of the parts does not change the result.
    XCTAssertEqual(CallStatistics.merged(parts.reversed()), m)
    XCTAssertNil(CallStatistics.merged([CallStatistics]()))
  }

  func testAViewMissingFromOnePartIsDropped() throws {
    let wall = CallTimes(selfNanos: 10, totalNanos: 20, maxSelfNanos: 5, p95SelfNanos: 4)
    let m = try XCTUnwrap(
      CallStatistics.merged([stats(1, self: 1, max: 1, p95: 1, wall: wall), stats(1, self: 1, max: 1, p95: 1)]))
    XCTAssertNil(m.wall)
    var entryOnly = stats(3, self: 0, max: 0, p95: nil)
    entryOnly.hasDurations = false
    XCTAssertEqual(CallStatistics.merged([entryOnly, stats(2, self: 9, max: 9, p95: 9)])?.hasDurations, false)
  }

  /// A sampled profile that gains traced calls: columns are added, one carrier per function
  /// holds Count and self time, and replacing the statistics replaces the carriers.
  func testSetCallStatisticsProjectsIntoCarrierSamples() throws {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    b.addSample(rootFirstNames: ["main", "scan"], values: [2, 2_000_000])
    var p = b.build()
    let scan = FunctionID(1)
    p.setCallStatistics([scan: stats(40, self: 1_500, max: 90, p95: 60)])
    XCTAssertEqual(p.sampleTypes.map(\.type), ["samples", "cpu", "calls", "self"])
    XCTAssertEqual(p.defaultValueIndex, 1, "the default column stays cpu")
    XCTAssertEqual(p.samples.count, 2)
    XCTAssertEqual(Array(p.samples.values(of: 0)), [2, 2_000_000, 0, 0])
    XCTAssertEqual(Array(p.samples.values(of: 1)), [0, 0, 40, 1_500])
    XCTAssertEqual(p.stacks.depth(of: p.samples.stacks[1]), 1)
    XCTAssertNoThrow(try p.validate())
    p.setCallStatistics([scan: stats(40, self: 9_000, max: 90, p95: 60)])
    XCTAssertEqual(p.samples.count, 2, "the old carrier is replaced, not kept")
    XCTAssertEqual(Array(p.samples.values(of: 1)), [0, 0, 40, 9_000])
    XCTAssertNoThrow(try p.validate())
  }

  func testValidateRefusesCarriersThatDisagree() {
    var b = ProfileBuilder(sampleTypes: Profile.callStatisticsValueTypes)
    let f = b.function("scan")
    b.addSample(leafFirst: [b.location(function: f)], values: [10, 500])
    var p = b.build()
    p.callStatistics = [f: stats(11, self: 500, max: 90, p95: 60)]
    XCTAssertThrowsError(try p.validate()) { error in
      XCTAssertEqual("\(error)", "function 0 has 11 calls but its samples carry 10")
    }
    p.callStatistics = [f: stats(10, self: 499, max: 90, p95: 60)]
    XCTAssertThrowsError(try p.validate()) { error in
      XCTAssertEqual("\(error)", "function 0 has 499ns self time but its samples carry 500ns")
    }
    p.callStatistics = [FunctionID(5): stats(10, self: 500, max: 90, p95: 60)]
    XCTAssertThrowsError(try p.validate()) { error in
      XCTAssertEqual("\(error)", "call statistics name function 5, which does not exist")
    }
  }

  func testValidateChecksRepeatsAddUpToTheSession() {
    var b = ProfileBuilder(sampleTypes: Profile.callStatisticsValueTypes)
    let f = b.function("scan")
    var p = b.build()
    let runs = [stats(4, self: 40, max: 20, p95: 15), stats(6, self: 60, max: 30, p95: 25)]
    p.repeats = runs.map { RunRepeat(callStatistics: [f: $0]) }
    p.setCallStatistics([f: CallStatistics.merged(runs) ?? runs[0]])
    XCTAssertNoThrow(try p.validate())
    p.repeats[0].callStatistics[f]?.calls = 5
    XCTAssertThrowsError(try p.validate()) { error in
      XCTAssertEqual("\(error)", "function 0 has 10 calls but its repeats add up to 11")
    }
  }
}

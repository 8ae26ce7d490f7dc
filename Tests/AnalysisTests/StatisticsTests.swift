import Analysis
import XCTest

/// Mann–Whitney U and sample summaries against known answers. The reference p-values were
/// computed once with `scipy.stats.mannwhitneyu(a, b, alternative="two-sided")` (scipy's
/// default `method="auto"`: exact below 8 per side without ties, else normal with tie and
/// continuity correction) and are hard-coded here.
final class StatisticsTests: XCTestCase {
  private func assertTest(
    _ a: [Double], _ b: [Double], u: Double, p: Double, exact: Bool, file: StaticString = #filePath, line: UInt = #line
  ) {
    guard let test = MannWhitneyTest(a, b) else { return XCTFail("no test", file: file, line: line) }
    XCTAssertEqual(test.u, u, file: file, line: line)
    XCTAssertEqual(test.pValue, p, accuracy: 1e-12, file: file, line: line)
    XCTAssertEqual(test.isExact, exact, file: file, line: line)
  }

  func testExactPValuesMatchScipy() {
    assertTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], u: 0, p: 0.007936507936507936, exact: true)
    assertTest([1.1, 2.2, 3.3, 4.4], [2.5, 3.6, 5.7, 6.8, 7.9], u: 3, p: 0.1111111111111111, exact: true)
    assertTest([10, 12, 14], [11, 13, 15, 16, 17, 18, 19], u: 3, p: 0.11666666666666667, exact: true)
  }

  func testNormalApproximationWithTiesMatchesScipy() {
    assertTest([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 5, 6, 7, 7, 8], u: 7.5, p: 0.006373133838085873, exact: false)
    let a = (1...20).map(Double.init)
    assertTest(a, a.map { $0 + 5.5 }, u: 105, p: 0.010581211443165648, exact: false)
  }

  func testIdenticalDistributionsAreNotSignificant() {
    assertTest([5, 5, 5, 5], [5, 5, 5, 5], u: 8, p: 1, exact: false)
    let a: [Double] = [10.1, 9.8, 10.3, 9.9, 10.0, 10.2]
    let b: [Double] = [10.0, 10.2, 9.9, 10.1, 9.8, 10.3]
    let test = MannWhitneyTest(a, b)
    XCTAssertEqual(test?.isSignificant(), false)
    XCTAssertEqual(CompareVerdict(a, b, alpha: 0.05)?.isSignificant, false)
  }

  func testClearlyShiftedSamplesAreSignificantBothWays() throws {
    let a: [Double] = [100, 102, 98, 101, 99, 100]
    let b = a.map { $0 * 1.2 }
    XCTAssertEqual(try XCTUnwrap(MannWhitneyTest(a, b)).isSignificant(), true)
    XCTAssertEqual(try XCTUnwrap(MannWhitneyTest(b, a)).isSignificant(), true)
    XCTAssertEqual(try XCTUnwrap(MannWhitneyTest(a, b)).pValue, try XCTUnwrap(MannWhitneyTest(b, a)).pValue)
  }

  func testThreeRunsPerSideCanNeverBeSignificant() {
    XCTAssertEqual(MannWhitneyTest.smallestPValue(perSide: 3), 0.1, accuracy: 1e-12)
    XCTAssertEqual(MannWhitneyTest.smallestPValue(perSide: 4), 2.0 / 70, accuracy: 1e-12)
    XCTAssertEqual(MannWhitneyTest([1, 2, 3], [4, 5, 6])?.pValue ?? 0, 0.1, accuracy: 1e-12)
    XCTAssertNil(MannWhitneyTest([], [1]))
  }

  func testSummaryMeanIntervalMedianAndSpread() throws {
    let s = try XCTUnwrap(SampleSummary([10, 12, 14, 16, 18]))
    XCTAssertEqual(s.mean, 14)
    XCTAssertEqual(s.median, 14)
    XCTAssertEqual(s.standardDeviation, 10.0.squareRoot(), accuracy: 1e-12)
    // t(0.975, 4) = 2.776: half-width 2.776 · √10 / √5.
    XCTAssertEqual(try XCTUnwrap(s.meanHalfWidth), 2.776 * 2.0.squareRoot(), accuracy: 1e-9)
    XCTAssertEqual(s.relativeSpread, 8.0 / 14, accuracy: 1e-12)
    XCTAssertNil(s.medianInterval, "five values cannot give a 95% interval of the median")
    let wide = try XCTUnwrap(SampleSummary((1...10).map(Double.init)))
    XCTAssertEqual(wide.median, 5.5)
    // n = 10: P(B < 2) = 11/1024 ≤ 2.5% < P(B < 3), so the interval is [x(2), x(9)].
    XCTAssertEqual(wide.medianInterval, 2...9)
    XCTAssertNil(try XCTUnwrap(SampleSummary([3])).meanHalfWidth)
  }

  func testRepeatsNeededGrowsAsTheChangeShrinks() throws {
    let a = try XCTUnwrap(SampleSummary([100, 104, 96, 102, 98]))
    let big = try XCTUnwrap(SampleSummary([120, 124, 116, 122, 118]))
    let small = try XCTUnwrap(SampleSummary([101, 105, 97, 103, 99]))
    let nBig = try XCTUnwrap(RepeatsEstimate.needed(a, big))
    let nSmall = try XCTUnwrap(RepeatsEstimate.needed(a, small))
    XCTAssertEqual(nBig, 4, "a shift of 5 standard deviations needs only the minimum")
    XCTAssertGreaterThan(nSmall, 50)
    XCTAssertNil(RepeatsEstimate.needed(a, a), "no change, nothing to detect")
  }
}

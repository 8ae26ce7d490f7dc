import XCTest

@testable import Analysis

/// The paired statistic (Wilcoxon signed-rank p-value, Hodges–Lehmann Walsh-average shift and
/// its interval) against reference values computed once with numpy 2.4.6 / scipy 1.17.1:
/// `scipy.stats.wilcoxon(d)` (default `method="auto"`, `zero_method="wilcox"`) for p and the
/// statistic min(R+, R−); the median of the Walsh averages; the interval [W(k), W(N+1−k)]
/// with k the largest value whose lower tail P(R+ ≤ k − 1) in scipy's exact null
/// distribution (`_get_wilcoxon_distr(n)`) is ≤ 0.025.
final class SignedRankTests: XCTestCase {
  struct Reference {
    var name: String
    var d: [Double]
    var p: Double
    var statistic: Double
    var exact: Bool
    var shift: Double
    var lower: Double
    var upper: Double
  }

  static let references: [Reference] = [
    // Identical distributions: differences centred on 0, no ties (exact null distribution).
    Reference(
      name: "identical", d: [-0.432, -1.13, 0.674, -1.108, 2.014, 0.924, -0.359, 0.571, 1.612, 2.834],
      p: 0.275390625, statistic: 16, exact: true, shift: 0.59, lower: -0.3955, upper: 1.612),
    // Log ratios of a 2% slowdown with s = 0.5%: every pair positive.
    Reference(
      name: "shift2pct",
      d: [0.01519, 0.02513, 0.02239, 0.0184, 0.02526, 0.02234, 0.02518, 0.01717, 0.01979, 0.02178],
      p: 0.001953125, statistic: 0, exact: true, shift: 0.021215, lower: 0.018485, upper: 0.023785),
    // Student's t with 2 degrees of freedom: two wild pairs barely move the estimate.
    Reference(
      name: "heavy", d: [0.023, -12.517, 0.342, -0.019, -0.639, -0.121, -0.469, 0.003, 4.282, -4.072, -0.19, -0.18],
      p: 0.20361328125, statistic: 22, exact: true, shift: -0.1825, lower: -2.3555, upper: 0.1615),
    // Tied |d| at 8 pairs: the exact conditional distribution (all 2⁸ sign flips).
    Reference(
      name: "ties", d: [0.5, -0.5, 1.0, 1.0, 1.5, -0.25, 2.0, 0.5],
      p: 0.0625, statistic: 4, exact: true, shift: 0.75, lower: 0.0, upper: 1.5),
    // Zeros are dropped from the ranks (Wilcoxon's rule) but stay in the Walsh averages.
    Reference(
      name: "zeros", d: [0.0, 0.3, 0.0, 0.7, 0.1, -0.2, 0.9, 0.4, 0.6],
      p: 0.046875, statistic: 2, exact: true, shift: 0.3, lower: 0.0, upper: 0.65),
    // Ties at 20 pairs: the normal approximation with tie correction (scipy: no continuity correction).
    Reference(
      name: "tiesLarge", d: [1, 2, 2, -1, 3, 3, 3, 4, -2, 5, 5, 6, 1, 7, 8, -3, 9, 2, 4, 6],
      p: 0.00099114255570459863, statistic: 17, exact: false, shift: 3.5, lower: 2.0, upper: 5.0),
  ]

  func testPValueStatisticShiftAndIntervalMatchScipy() throws {
    for r in Self.references {
      let test = try XCTUnwrap(SignedRankTest(r.d), r.name)
      let total = Double(test.nonZero * (test.nonZero + 1)) / 2
      XCTAssertEqual(min(test.rPlus, total - test.rPlus), r.statistic, r.name)
      XCTAssertEqual(test.pValue, r.p, accuracy: 1e-12, r.name)
      XCTAssertEqual(test.isExact, r.exact, r.name)
      let e = try XCTUnwrap(PairedShiftEstimate(r.d), r.name)
      XCTAssertEqual(e.shift, r.shift, accuracy: 1e-12, r.name)
      XCTAssertEqual(try XCTUnwrap(e.lower, r.name), r.lower, accuracy: 1e-12, r.name)
      XCTAssertEqual(try XCTUnwrap(e.upper, r.name), r.upper, accuracy: 1e-12, r.name)
    }
  }

  /// k for 95% intervals and the coverage it gives, from scipy's exact null distribution.
  func testCriticalValuesMatchScipy() {
    let expected: [(n: Int, k: Int, coverage: Double?)] = [
      (5, 0, nil), (6, 1, 0.96875), (7, 3, 0.953125), (8, 4, 0.9609375), (10, 9, 0.951171875),
      (12, 14, 0.95751953125), (20, 53, 0.9515590667724609), (30, 138, 0.9502898789942265),
      (50, 435, 0.9505535931993983),
    ]
    for row in expected {
      let found = PairedShiftEstimate.criticalValue(pairs: row.n)
      XCTAssertEqual(found.k, row.k, "n=\(row.n)")
      if let c = row.coverage {
        XCTAssertEqual(try XCTUnwrap(found.coverage), c, accuracy: 1e-12, "n=\(row.n)")
      } else {
        XCTAssertNil(found.coverage, "n=\(row.n)")
      }
    }
  }

  func testFivePairsCanNeverBeSignificantSixCan() throws {
    XCTAssertEqual(SignedRankTest.minimumPairs(alpha: 0.05), 6)
    XCTAssertEqual(try XCTUnwrap(SignedRankTest([1, 2, 3, 4, 5])).pValue, 0.0625, accuracy: 1e-15)
    XCTAssertNil(try XCTUnwrap(PairedShiftEstimate([1, 2, 3, 4, 5])).lower)
    XCTAssertEqual(try XCTUnwrap(SignedRankTest([1, 2, 3, 4, 5, 6])).pValue, 0.03125, accuracy: 1e-15)
    XCTAssertNil(SignedRankTest([]))
    XCTAssertEqual(try XCTUnwrap(SignedRankTest([0, 0, 0])).pValue, 1)
  }
}

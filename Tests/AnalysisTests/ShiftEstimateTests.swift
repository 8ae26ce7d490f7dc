import XCTest

@testable import Analysis

/// Hodges–Lehmann shift, its Mann–Whitney interval, the p-value and Tukey outliers against
/// reference values computed once with numpy 2.4.6 / scipy 1.17.1 (the script is in the
/// comment at the bottom): median of pairwise differences, the critical value from scipy's
/// exact null distribution of U (`_MWU`), or `norm.ppf` above 400 pairs, and `mannwhitneyu`.
final class ShiftEstimateTests: XCTestCase {
  struct Reference {
    var name: String
    var a: [Double]
    var b: [Double]
    var shift: Double
    var lower: Double
    var upper: Double
    var p: Double
    var outliersA: [Int]
    var outliersB: [Int]
  }

  static let references: [Reference] = [
    Reference(
      name: "identical", a: [99.568, 98.87, 100.674, 98.892, 102.014, 100.924, 99.641, 100.571, 101.612, 102.834],
      b: [99.077, 101.065, 100.518, 99.72, 101.092, 100.507, 101.076, 99.474, 99.998, 100.395],
      shift: -0.1670000000000016, lower: -1.4939999999999998, upper: 0.8659999999999997, p: 0.7337299956962472,
      outliersA: [], outliersB: []),
    Reference(
      name: "shift2", a: [100.01, 100.008, 99.616, 100.063, 100.094, 99.969, 99.993, 100.348, 99.671, 100.348],
      b: [101.923, 102.028, 101.905, 102.45, 102.38, 102.003, 101.781, 102.928, 102.27, 101.427],
      shift: 2.0319999999999965, lower: 1.788000000000011, upper: 2.3870000000000005, p: 0.00018165114609146497,
      outliersA: [2, 7, 8, 9], outliersB: []),
    Reference(
      name: "heavy",
      a: [99.983, 100.552, 99.52, 97.313, 98.677, 99.9, 101.359, 103.679, 99.465, 99.784, 100.427, 99.292],
      b: [101.631, 101.463, 101.69, 102.97, 103.237, 103.449, 102.138, 101.017, 102.825, 103.159, 99.803, 102.867],
      shift: 2.3759999999999977, lower: 1.262999999999991, upper: 3.375, p: 0.0020095048556600134, outliersA: [3, 7],
      outliersB: []),
    Reference(
      name: "ties", a: [10.0, 10.0, 11.0, 11.0, 11.0, 12.0, 12.0, 13.0],
      b: [11.0, 12.0, 12.0, 12.0, 13.0, 13.0, 14.0, 14.0], shift: 1.0, lower: 0.0, upper: 3.0, p: 0.0309022431770359,
      outliersA: [], outliersB: []),
    Reference(
      name: "large",
      a: [
        53.02, 49.91, 49.62, 51.63, 47.11, 48.54, 51.78, 46.08, 48.19, 53.21, 51.1, 47.94, 50.01, 51.39, 48.32, 49.95,
        50.61, 50.0, 52.97, 50.15, 49.61, 50.37, 49.17, 48.31, 49.46, 48.64, 53.63, 54.23, 49.19, 44.37,
      ],
      b: [
        50.23, 52.3, 49.71, 52.33, 52.24, 49.73, 50.49, 49.01, 50.13, 48.76, 49.92, 53.94, 50.36, 53.17, 51.64, 48.0,
        50.8, 50.07, 48.53, 50.05, 53.43, 53.42, 50.16, 49.56, 50.9,
      ], shift: 0.6149999999999984, lower: -0.21000000000000085, upper: 1.7800000000000011, p: 0.11792672274114382,
      outliersA: [29], outliersB: []),
  ]

  func testShiftIntervalPValueAndOutliersMatchScipy() throws {
    for r in Self.references {
      let e = try XCTUnwrap(ShiftEstimate(r.a, r.b), r.name)
      XCTAssertEqual(e.shift, r.shift, accuracy: 1e-9, r.name)
      XCTAssertEqual(try XCTUnwrap(e.lower, r.name), r.lower, accuracy: 1e-9, r.name)
      XCTAssertEqual(try XCTUnwrap(e.upper, r.name), r.upper, accuracy: 1e-9, r.name)
      XCTAssertEqual(e.isExact, r.a.count * r.b.count <= ShiftEstimate.exactLimit, r.name)
      let test = try XCTUnwrap(MannWhitneyTest(r.a, r.b), r.name)
      XCTAssertEqual(test.pValue, r.p, accuracy: 1e-9, r.name)
      XCTAssertEqual(TukeyFences.outliers(r.a), r.outliersA, r.name)
      XCTAssertEqual(TukeyFences.outliers(r.b), r.outliersB, r.name)
    }
  }

  func testIdenticalDistributionsAreNotSignificantAndTheIntervalCoversZero() throws {
    let r = Self.references[0]
    let v = try XCTUnwrap(CompareVerdict(r.a, r.b, alpha: 0.05))
    XCTAssertFalse(v.isSignificant)
    XCTAssertFalse(v.testRejects)
    let i = try XCTUnwrap(v.interval)
    XCTAssertTrue(i.contains(0))
  }

  func testTwoPercentShiftIsSignificantWithTheRelativeInterval() throws {
    let r = Self.references[1]
    let v = try XCTUnwrap(CompareVerdict(r.a, r.b, alpha: 0.05))
    let medianA = 100.009  // numpy.median(a)
    XCTAssertEqual(try XCTUnwrap(v.change), r.shift / medianA, accuracy: 1e-12)
    let i = try XCTUnwrap(v.interval)
    XCTAssertEqual(i.lowerBound, r.lower / medianA, accuracy: 1e-12)
    XCTAssertEqual(i.upperBound, r.upper / medianA, accuracy: 1e-12)
    XCTAssertTrue(v.testRejects)
    XCTAssertTrue(v.isSignificant)  // [+1.79%, +2.39%] clears the 1% floor
    XCTAssertEqual(v.outliersA, [2, 7, 8, 9])  // shown, not dropped: the test used all 10
    // A 2.5% floor is inside the interval: the test still rejects, but it is not significant.
    let strict = try XCTUnwrap(CompareVerdict(r.a, r.b, alpha: 0.05, noise: 0.025))
    XCTAssertTrue(strict.testRejects)
    XCTAssertFalse(strict.isSignificant)
    XCTAssertNil(strict.repeatsNeeded)  // the change is within the floor: no run count helps
  }

  func testHeavyTailsAndTiesKeepTheirReferenceVerdicts() throws {
    let heavy = try XCTUnwrap(CompareVerdict(Self.references[2].a, Self.references[2].b, alpha: 0.05))
    XCTAssertTrue(heavy.isSignificant)  // interval [+1.26%, +3.38%] of A's median 99.842
    XCTAssertEqual(heavy.outliersA, [3, 7])
    // Ties: p = 0.031 rejects, but the interval [0, +3] of median 11 includes 0.
    let ties = try XCTUnwrap(CompareVerdict(Self.references[3].a, Self.references[3].b, alpha: 0.05))
    XCTAssertTrue(ties.testRejects)
    XCTAssertEqual(try XCTUnwrap(ties.interval).lowerBound, 0, accuracy: 1e-12)
    XCTAssertFalse(ties.isSignificant)
  }

  func testThreeRunsPerSideHaveNoInterval() throws {
    let e = try XCTUnwrap(ShiftEstimate([1, 2, 3], [10, 11, 12]))
    XCTAssertEqual(e.shift, 9)
    XCTAssertNil(e.lower)  // P(U = 0) = 1/20 > 2.5%: no 95% interval exists
    let v = try XCTUnwrap(CompareVerdict([1, 2, 3], [10, 11, 12], alpha: 0.05))
    XCTAssertFalse(v.isSignificant)
    // Four per side: P(U = 0) = 1/70 ≤ 2.5%, so the interval is [min, max] of the differences.
    let four = try XCTUnwrap(ShiftEstimate([1, 2, 3, 4], [10, 11, 12, 13]))
    XCTAssertEqual(four.lower, 6)
    XCTAssertEqual(four.upper, 12)
    XCTAssertEqual(try XCTUnwrap(four.coverage), 1 - 2.0 / 70, accuracy: 1e-12)
  }

  func testNormalQuantile() {
    XCTAssertEqual(NormalQuantile.upper(0.025), 1.959963984540054, accuracy: 1e-9)  // scipy.stats.norm.ppf(0.975)
  }
}

/*
import numpy as np
from scipy import stats
from scipy.stats._mannwhitneyu import _MWU
def hl(x, y):
    d = np.sort(np.subtract.outer(np.asarray(y), np.asarray(x)).ravel())
    m, n = len(x), len(y); N = m*n
    if m*n <= 400:
        dist = _MWU(m, n)
        k = 0
        for kk in range(1, N//2+1):
            if dist.cdf(kk-1) <= 0.025: k = kk
            else: break
    else:
        z = stats.norm.ppf(0.975)
        k = int(np.floor(N/2 - z*np.sqrt(N*(m+n+1)/12)))
    lo, hi = (d[k-1], d[N-k]) if k >= 1 else (None, None)
    p = stats.mannwhitneyu(x, y, alternative='two-sided').pvalue
    return float(np.median(d)), lo, hi, k, float(p)
rng = np.random.default_rng(18)
cases = {}
cases['identical'] = (list(np.round(rng.normal(100, 1, 10), 3)), None)
cases['identical'] = (cases['identical'][0], list(np.round(rng.normal(100, 1, 10), 3)))
a = list(np.round(rng.normal(100, 0.5, 10), 3)); b = list(np.round(rng.normal(102, 0.5, 10), 3))
cases['shift2'] = (a, b)
a = list(np.round(100 + rng.standard_t(2, 12), 3)); b = list(np.round(103 + rng.standard_t(2, 12), 3))
cases['heavy'] = (a, b)
a = [10,10,11,11,11,12,12,13]; b = [11,12,12,12,13,13,14,14]
cases['ties'] = (a, b)
a = list(np.round(rng.normal(50, 2, 30), 2)); b = list(np.round(rng.normal(51, 2, 25), 2))
cases['large'] = (a, b)
for name, (x, y) in cases.items():
    s, lo, hi, k, p = hl(x, y)
    q = np.percentile(x, [25, 75]); iqr = q[1]-q[0]
    out = [i for i, v in enumerate(x) if v < q[0]-1.5*iqr or v > q[1]+1.5*iqr]
    print(f"// {name}: k={k}")
    print(f"a: {x}\nb: {y}\nshift={s!r} lo={lo!r} hi={hi!r} p={p!r} medianA={float(np.median(x))!r} outliersA={out} q={list(q)}")
for name, (x, y) in cases.items():
    s, lo, hi, k, p = hl(x, y)
    f=lambda v: ", ".join(repr(float(t)) for t in v)
    q = np.percentile(x, [25, 75]); iqr = q[1]-q[0]
*/

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Wilcoxon signed-rank test of paired differences (one per A/B pair), two-sided.
///
/// Zeros are dropped from the ranks (Wilcoxon's rule, scipy's `zero_method="wilcox"`).
/// The p-value matches `scipy.stats.wilcoxon(method="auto")`: exact without ties or zeros
/// (up to `exactLimit` pairs), the exact conditional (all 2ⁿ sign flips) with ties or zeros
/// up to 13 pairs, else the normal approximation with tie correction (no continuity correction,
/// scipy's default).
public struct SignedRankTest: Sendable, Equatable {
  /// Sum of the ranks of |d| over the positive differences.
  public var rPlus: Double
  /// Two-sided p-value.
  public var pValue: Double
  /// Whether the p-value is exact (the null distribution or all sign flips), else normal.
  public var isExact: Bool
  /// Non-zero differences behind the ranks.
  public var nonZero: Int

  /// Above this many pairs the untied test uses the normal approximation (scipy stays exact).
  public static let exactLimit = 50
  /// Up to this many pairs ties or zeros are handled by enumerating every sign flip.
  public static let flipLimit = 13

  /// Runs the test; nil when there are no differences.
  public init?(_ d: [Double]) {
    guard !d.isEmpty, d.allSatisfy(\.isFinite) else { return nil }
    let kept = d.filter { $0 != 0 }
    nonZero = kept.count
    let ranked = MannWhitneyTest.ranks(kept.map(abs))
    let plus = zip(kept, ranked.ranks).reduce(0.0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
    rPlus = plus
    let zeros = kept.count < d.count
    let n = kept.count
    if n == 0 {
      isExact = true
      pValue = 1
    } else if !zeros && !ranked.hasTies && n <= Self.exactLimit {
      isExact = true
      let freq = Self.frequencies(n: n)
      let total = freq.reduce(0, +)
      let t = Int(plus.rounded())
      let lower = freq[0...t].reduce(0, +) / total
      let upper = freq[t...].reduce(0, +) / total
      pValue = min(1, 2 * min(lower, upper))
    } else if d.count <= Self.flipLimit {
      // The exact conditional distribution of R+ given these ranks: all 2ⁿ signs equally likely.
      isExact = true
      let ranks = ranked.ranks
      var below = 0
      var above = 0
      let flips = 1 << n
      for mask in 0..<flips {
        var sum = 0.0
        for i in 0..<n where mask & (1 << i) != 0 { sum += ranks[i] }
        if sum <= plus + 1e-9 { below += 1 }
        if sum >= plus - 1e-9 { above += 1 }
      }
      pValue = min(1, 2 * Double(min(below, above)) / Double(flips))
    } else {
      isExact = false
      let nn = Double(n)
      let mean = nn * (nn + 1) / 4
      let variance = (nn * (nn + 1) * (2 * nn + 1) - ranked.tieTerm / 2) / 24
      if variance <= 0 {
        pValue = 1
      } else {
        // No continuity correction, as scipy's default (`correction=False`).
        let z = (plus - mean) / variance.squareRoot()
        pValue = min(1, max(0, erfc(abs(z) / 2.0.squareRoot())))
      }
    }
  }

  /// Whether the difference is significant at `alpha`.
  public func isSignificant(alpha: Double = 0.05) -> Bool { pValue < alpha }

  /// The smallest two-sided p-value `n` pairs can reach (every difference on one side): 2 / 2ⁿ.
  public static func smallestPValue(pairs n: Int) -> Double {
    guard n > 0 else { return 1 }
    var v = 1.0
    for _ in 0..<n { v /= 2 }
    return min(1, 2 * v)
  }

  /// The fewest pairs whose test can reach p < `alpha` at all (6 at α = 0.05).
  public static func minimumPairs(alpha: Double = 0.05) -> Int {
    var n = 1
    while smallestPValue(pairs: n) >= alpha { n += 1 }
    return n
  }

  /// Frequencies of R+ (0 … n(n+1)/2) under the null: subsets of {1…n} by their sum.
  static func frequencies(n: Int) -> [Double] {
    let top = n * (n + 1) / 2
    var f = [Double](repeating: 0, count: top + 1)
    f[0] = 1
    var reach = 0
    for r in stride(from: 1, through: max(n, 0), by: 1) {
      reach += r
      for k in stride(from: reach, through: r, by: -1) { f[k] += f[k - r] }
    }
    return f
  }
}

/// The one-sample Hodges–Lehmann estimate of paired differences (the median of the Walsh
/// averages (dᵢ + dⱼ)/2, i ≤ j) with the distribution-free interval that inverts the signed-rank
/// test (Tukey; Hollander & Wolfe §3.2; R's `wilcox.test(paired = TRUE, conf.int = TRUE)`).
///
/// The interval is [W(k), W(N+1−k)] of the N = n(n+1)/2 sorted Walsh averages, with k the
/// largest value such that P(R+ ≤ k − 1) ≤ 2.5 % under the exact null distribution (normal above
/// `SignedRankTest.exactLimit`). Zeros stay in (they are runs that did not change).
public struct PairedShiftEstimate: Sendable, Equatable {
  /// Median of the Walsh averages.
  public var shift: Double
  /// Lower end of the interval; nil when there are too few pairs for the level (< 6 at 95 %).
  public var lower: Double?
  /// Upper end of the interval (see `lower`).
  public var upper: Double?
  /// Coverage the interval actually has (≥ the level asked for).
  public var coverage: Double?
  /// Whether the critical value came from the exact distribution.
  public var isExact: Bool

  /// Estimates the shift; nil when there are no differences.
  public init?(_ d: [Double], level: Double = 0.95) {
    guard !d.isEmpty, d.allSatisfy(\.isFinite) else { return nil }
    let n = d.count
    var walsh: [Double] = []
    walsh.reserveCapacity(n * (n + 1) / 2)
    for i in 0..<n { for j in i..<n { walsh.append((d[i] + d[j]) / 2) } }
    walsh.sort()
    let total = walsh.count
    shift = total % 2 == 1 ? walsh[total / 2] : (walsh[total / 2 - 1] + walsh[total / 2]) / 2
    let tail = (1 - level) / 2
    let k: Int
    if n <= SignedRankTest.exactLimit {
      isExact = true
      let found = Self.criticalValue(pairs: n, tail: tail)
      k = found.k
      coverage = found.coverage
    } else {
      isExact = false
      let z = NormalQuantile.upper(tail)
      let nn = Double(n)
      k = Int((nn * (nn + 1) / 4 - z * (nn * (nn + 1) * (2 * nn + 1) / 24).squareRoot()).rounded(.down))
      coverage = level
    }
    if k >= 1 && k <= total + 1 - k {
      lower = walsh[k - 1]
      upper = walsh[total - k]
    } else {
      lower = nil
      upper = nil
      coverage = nil
    }
  }

  /// Largest k with P(R+ ≤ k − 1) ≤ `tail` for `n` pairs (0 when none), and the coverage
  /// 1 − 2·P(R+ ≤ k − 1) it gives.
  public static func criticalValue(pairs n: Int, tail: Double = 0.025) -> (k: Int, coverage: Double?) {
    let freq = SignedRankTest.frequencies(n: n)
    let all = freq.reduce(0, +)
    var below = 0.0
    var k = 0
    var coverage: Double?
    for candidate in 1...max(1, freq.count / 2) {
      below += freq[candidate - 1] / all
      if below > tail { break }
      k = candidate
      coverage = 1 - 2 * below
    }
    return (k, coverage)
  }
}

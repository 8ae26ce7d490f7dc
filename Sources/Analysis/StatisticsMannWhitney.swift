#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Mann–Whitney U rank test (as benchstat uses) between two independent samples.
///
/// Two-sided. Exact p-values for small samples without ties (both sizes below 8, as
/// scipy's `method="auto"`); otherwise the normal approximation with tie correction and
/// continuity correction, so results match `scipy.stats.mannwhitneyu`.
public struct MannWhitneyTest: Sendable, Equatable {
  /// U of the first sample: pairs where it is larger, plus half the ties.
  public var u: Double
  /// Two-sided p-value.
  public var pValue: Double
  /// Whether the p-value came from the exact distribution (else the normal approximation).
  public var isExact: Bool
  /// Size of each sample.
  public var sizes: (Int, Int) { (n1, n2) }
  private var n1: Int
  private var n2: Int

  /// Runs the test; nil when either sample is empty.
  public init?(_ x: [Double], _ y: [Double]) {
    guard !x.isEmpty, !y.isEmpty else { return nil }
    n1 = x.count
    n2 = y.count
    let ranked = Self.ranks(x + y)
    let r1 = ranked.ranks.prefix(n1).reduce(0, +)
    let u1 = r1 - Double(n1 * (n1 + 1)) / 2
    u = u1
    let uMax = max(u1, Double(n1 * n2) - u1)
    if n1 < 8 && n2 < 8 && !ranked.hasTies {
      isExact = true
      pValue = min(1, 2 * Self.exactUpperTail(Int(uMax.rounded()), n1, n2))
    } else {
      isExact = false
      let n = Double(n1 + n2)
      let mu = Double(n1 * n2) / 2
      let variance = Double(n1 * n2) / 12 * ((n + 1) - ranked.tieTerm / (n * (n - 1)))
      if variance <= 0 {
        pValue = 1
      } else {
        let z = (uMax - mu - 0.5) / variance.squareRoot()
        pValue = min(1, max(0, erfc(z / 2.0.squareRoot())))
      }
    }
  }

  /// Whether the difference is significant at `alpha` (benchstat's default is 0.05).
  public func isSignificant(alpha: Double = 0.05) -> Bool { pValue < alpha }

  /// Equal when statistic, p-value, method and sizes agree.
  public static func == (a: MannWhitneyTest, b: MannWhitneyTest) -> Bool {
    a.u == b.u && a.pValue == b.pValue && a.isExact == b.isExact && a.n1 == b.n1 && a.n2 == b.n2
  }

  /// The smallest two-sided p-value a test with `n` values on each side can reach
  /// (all of one sample above all of the other): `2 / C(2n, n)`.
  public static func smallestPValue(perSide n: Int) -> Double {
    guard n > 0 else { return 1 }
    var c = 1.0
    for i in 0..<n { c = c * Double(2 * n - i) / Double(i + 1) }
    return min(1, 2 / c)
  }

  /// Mid-ranks (1-based) of the pooled values, whether any tie, and Σ(t³ − t) over tie groups.
  static func ranks(_ values: [Double]) -> (ranks: [Double], hasTies: Bool, tieTerm: Double) {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var tieTerm = 0.0
    var hasTies = false
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
      let mid = Double(i + j + 2) / 2
      for k in i...j { ranks[order[k]] = mid }
      let t = Double(j - i + 1)
      if t > 1 {
        hasTies = true
        tieTerm += t * t * t - t
      }
      i = j + 1
    }
    return (ranks, hasTies, tieTerm)
  }

  /// P(U ≥ u) under the null hypothesis, from the exact distribution of U for sizes m, n.
  static func exactUpperTail(_ u: Int, _ m: Int, _ n: Int) -> Double {
    let maxU = m * n
    let freq = frequencies(m: m, n: n, maxU: maxU)
    let total = freq.reduce(0, +)
    guard total > 0, u <= maxU else { return u <= 0 ? 1 : 0 }
    var tail = 0.0
    for k in max(0, u)...maxU { tail += freq[k] }
    return tail / total
  }

  /// Frequencies of U for sizes m, n by the recurrence f(m,n,k) = f(m−1,n,k−n) + f(m,n−1,k).
  static func frequencies(m: Int, n: Int, maxU: Int) -> [Double] {
    // grid[a][b] is the frequency vector for sizes a, b.
    var grid = [[[Double]]](
      repeating: [[Double]](repeating: [], count: n + 1), count: m + 1)
    for a in 0...m {
      for b in 0...n {
        var f = [Double](repeating: 0, count: maxU + 1)
        if a == 0 || b == 0 {
          f[0] = 1
        } else {
          let left = grid[a - 1][b]
          let down = grid[a][b - 1]
          for k in 0...maxU {
            var v = down[k]
            if k >= b { v += left[k - b] }
            f[k] = v
          }
        }
        grid[a][b] = f
      }
    }
    return grid[m][n]
  }
}

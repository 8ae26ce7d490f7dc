#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Hodges–Lehmann shift of B against A with its distribution-free confidence interval
/// (Bauer 1972, as R's `wilcox.test(conf.int = TRUE)`): the interval inverts the same
/// Mann–Whitney test that gives the p-value, so estimate, interval and test agree.
///
/// Chosen over a bootstrap because it is deterministic (a gate must give the same answer
/// for the same runs), keeps its stated coverage at 5–10 runs per side where a bootstrap
/// interval is too narrow, and ignores a single outlier run instead of following it.
public struct ShiftEstimate: Sendable, Equatable {
  /// Median of all pairwise differences b − a.
  public var shift: Double
  /// Lower end of the interval; nil when the samples are too small for the level.
  public var lower: Double?
  /// Upper end of the interval (see `lower`).
  public var upper: Double?
  /// Coverage the interval actually has (≥ the level asked for; order statistics jump).
  public var coverage: Double?
  /// Whether the critical value came from the exact distribution of U (else normal).
  public var isExact: Bool

  /// Above this product of sizes the interval uses the normal approximation.
  public static let exactLimit = 400

  /// Estimates the shift; nil when either sample is empty.
  public init?(_ a: [Double], _ b: [Double], level: Double = 0.95) {
    guard !a.isEmpty, !b.isEmpty else { return nil }
    var d: [Double] = []
    d.reserveCapacity(a.count * b.count)
    for y in b { for x in a { d.append(y - x) } }
    d.sort()
    let total = d.count
    shift = total % 2 == 1 ? d[total / 2] : (d[total / 2 - 1] + d[total / 2]) / 2
    let tail = (1 - level) / 2
    let (m, n) = (a.count, b.count)
    var k = 0
    var achieved: Double?
    if total <= Self.exactLimit {
      isExact = true
      // Largest k with P(U ≤ k − 1) ≤ tail: the interval is [d(k), d(N + 1 − k)] (1-based).
      let freq = MannWhitneyTest.frequencies(m: m, n: n, maxU: total)
      let all = freq.reduce(0, +)
      var below = 0.0
      for candidate in 1...max(1, total / 2) {
        below += freq[candidate - 1] / all
        if below > tail { break }
        k = candidate
        achieved = 1 - 2 * below
      }
    } else {
      isExact = false
      let z = NormalQuantile.upper(tail)
      let nn = Double(total)
      k = Int((nn / 2 - z * (nn * Double(m + n + 1) / 12).squareRoot()).rounded(.down))
      achieved = level
    }
    if k >= 1 && k <= total + 1 - k {
      lower = d[k - 1]
      upper = d[total - k]
      coverage = achieved
    } else {
      lower = nil
      upper = nil
      coverage = nil
    }
  }
}

/// Quantiles of the standard normal distribution.
public enum NormalQuantile {
  /// z with P(Z > z) = p, by bisection on erfc (exact to ~1e-12 for the levels used).
  public static func upper(_ p: Double) -> Double {
    guard p > 0, p < 1 else { return p <= 0 ? .infinity : -.infinity }
    var lo = -40.0
    var hi = 40.0
    for _ in 0..<200 {
      let mid = (lo + hi) / 2
      if erfc(mid / 2.0.squareRoot()) / 2 > p { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
  }
}

/// Tukey's fences: values below Q1 − 1.5·IQR or above Q3 + 1.5·IQR are outliers.
/// Quartiles interpolate linearly between order statistics (numpy's default).
public enum TukeyFences {
  /// Indices (0-based, in measurement order) of the outlying values; empty below 4 values.
  public static func outliers(_ values: [Double]) -> [Int] {
    guard values.count >= 4 else { return [] }
    let sorted = values.sorted()
    let q1 = quantile(sorted, 0.25)
    let q3 = quantile(sorted, 0.75)
    let iqr = q3 - q1
    let low = q1 - 1.5 * iqr
    let high = q3 + 1.5 * iqr
    return values.indices.filter { values[$0] < low || values[$0] > high }
  }

  /// Linear-interpolation quantile of sorted values.
  public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let pos = q * Double(sorted.count - 1)
    let i = Int(pos.rounded(.down))
    let frac = pos - Double(i)
    return i + 1 < sorted.count ? sorted[i] + (sorted[i + 1] - sorted[i]) * frac : sorted[i]
  }
}

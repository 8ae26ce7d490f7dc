/// Mean, median, spread and a 95% confidence interval of one metric over repeated runs.
public struct SampleSummary: Sendable, Equatable {
  /// The values, in the order measured.
  public var values: [Double]
  /// Arithmetic mean.
  public var mean: Double
  /// Median (mean of the two middle values for an even count).
  public var median: Double
  /// Smallest value.
  public var min: Double
  /// Largest value.
  public var max: Double
  /// Sample standard deviation (n − 1); 0 for a single value.
  public var standardDeviation: Double
  /// Half-width of the 95% confidence interval of the mean (Student's t); nil below 2 values.
  public var meanHalfWidth: Double?

  /// Summarizes values; nil when there are none.
  public init?(_ values: [Double]) {
    guard !values.isEmpty else { return nil }
    self.values = values
    let n = Double(values.count)
    mean = values.reduce(0, +) / n
    let sorted = values.sorted()
    let mid = sorted.count / 2
    median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    min = sorted[0]
    max = sorted[sorted.count - 1]
    if values.count > 1 {
      let m = mean
      let ss = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
      standardDeviation = (ss / (n - 1)).squareRoot()
      meanHalfWidth = StudentT.quantile975(degreesOfFreedom: values.count - 1) * standardDeviation / n.squareRoot()
    } else {
      standardDeviation = 0
      meanHalfWidth = nil
    }
  }

  /// 95% confidence interval of the mean; nil below 2 values.
  public var meanInterval: ClosedRange<Double>? {
    meanHalfWidth.map { (mean - $0)...(mean + $0) }
  }

  /// 95% (or wider, the nearest achievable) distribution-free confidence interval of the
  /// median from order statistics; nil when too few values give any coverage ≥ 95% (n < 6).
  public var medianInterval: ClosedRange<Double>? {
    let n = values.count
    guard n >= 6 else { return nil }
    let sorted = values.sorted()
    // Largest k with P(Binomial(n, ½) < k) ≤ 2.5%: the interval is [x(k), x(n+1−k)] (1-based).
    var cumulative = 0.0
    var choose = 1.0
    let scale = pow2(-n)
    var k = 0
    for i in 0..<n {
      cumulative += choose * scale
      if cumulative > 0.025 { break }
      k = i + 1
      choose = choose * Double(n - i) / Double(i + 1)
    }
    guard k >= 1 else { return nil }
    return sorted[k - 1]...sorted[n - k]
  }

  /// Relative spread (max − min) / mean, 0 when the mean is 0.
  public var relativeSpread: Double { mean == 0 ? 0 : (max - min) / mean }

  private func pow2(_ e: Int) -> Double {
    var v = 1.0
    for _ in 0..<Swift.abs(e) { v *= 2 }
    return e < 0 ? 1 / v : v
  }
}

/// Student's t distribution quantiles for confidence intervals.
public enum StudentT {
  /// The 97.5th percentile for `degreesOfFreedom` (two-sided 95%); 1.96 in the limit.
  public static func quantile975(degreesOfFreedom df: Int) -> Double {
    let table: [Double] = [
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ]
    if df >= 1 && df <= table.count { return table[df - 1] }
    if df <= 0 { return .infinity }
    if df <= 60 { return 2.000 + (2.042 - 2.000) * Double(60 - df) / 30 }
    if df <= 120 { return 1.980 + (2.000 - 1.980) * Double(120 - df) / 60 }
    return 1.960
  }
}

/// How many repeats per side a Mann–Whitney test would need to call a change significant.
public enum RepeatsEstimate {
  /// Repeats per side to detect the observed difference of means at α = 0.05 with 80%
  /// power: the two-sample normal formula scaled by the rank test's efficiency (3/π),
  /// never below the 4 per side an exact test needs to reach p < 0.05 at all.
  /// With a noise floor (a fraction of A's mean) only the part of the change beyond it
  /// counts, since the interval must clear the floor. Nil when the samples show no
  /// difference beyond the floor or no spread to work from.
  public static func needed(_ a: SampleSummary, _ b: SampleSummary, noise: Double = 0) -> Int? {
    let delta = Swift.abs(b.mean - a.mean) - noise * Swift.abs(a.mean)
    guard delta > 0 else { return nil }
    let pooledVariance = (a.standardDeviation * a.standardDeviation + b.standardDeviation * b.standardDeviation) / 2
    let minimum = 4
    guard pooledVariance > 0 else { return minimum }
    let zSum = 1.959964 + 0.841621
    let nT = 2 * zSum * zSum * pooledVariance / (delta * delta)
    let nRank = nT * Double.pi / 3
    guard nRank.isFinite, nRank < 1_000_000 else { return nil }
    return Swift.max(minimum, Int(nRank.rounded(.up)))
  }
}

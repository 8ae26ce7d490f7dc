#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension CompareVerdict {
  /// The paired verdict for runs that ran side by side (A run i beside B run i, as `bench`
  /// orders them): the Wilcoxon signed-rank test and the Hodges–Lehmann (Walsh average)
  /// interval of the per-pair log ratios ln(bᵢ/aᵢ), reported as exp(·) − 1.
  ///
  /// Pairing cancels what both runs of a pair share (the machine's load, clock and cache
  /// state at that moment), which the unpaired test counts as noise. A metric with a zero or
  /// negative value (e.g. a function absent from a run) uses differences bᵢ − aᵢ as a fraction
  /// of A's median instead. Nil when the sides differ in length or have fewer than two pairs.
  public init?(pairedRuns a: [Double], _ b: [Double], alpha: Double, noise: Double = CompareVerdict.defaultNoise) {
    guard a.count == b.count, a.count >= 2 else { return nil }
    let ratios = a.allSatisfy { $0 > 0 && $0.isFinite } && b.allSatisfy { $0 > 0 && $0.isFinite }
    let base = SampleSummary(a)?.median ?? 0
    let d = zip(a, b).map { x, y in ratios ? log(y / x) : y - x }
    guard let test = SignedRankTest(d), let shift = PairedShiftEstimate(d) else { return nil }
    func relative(_ x: Double) -> Double? { ratios ? expm1(x) : (base != 0 ? x / base : nil) }
    pairs = a.count
    pValue = test.pValue
    testRejects = test.isSignificant(alpha: alpha)
    self.noise = noise
    change = relative(shift.shift)
    interval = nil
    if let lo = shift.lower, let hi = shift.upper, let x = relative(lo), let y = relative(hi) {
      interval = Swift.min(x, y)...Swift.max(x, y)
    }
    let beyondFloor = interval.map { $0.lowerBound > noise || $0.upperBound < -noise } ?? false
    isSignificant = testRejects && beyondFloor
    outliersA = TukeyFences.outliers(a)
    outliersB = TukeyFences.outliers(b)
    repeatsNeeded = nil
    if !isSignificant {
      let floor = ratios ? log1p(noise) : noise * Swift.abs(base)
      repeatsNeeded = RepeatsEstimate.neededPairs(d, floor: floor).map { max($0, a.count + 1) }
    }
  }
}

extension RepeatsEstimate {
  /// Pairs to detect the observed mean paired difference beyond `floor` (in the units of
  /// `d`) at α = 0.05 with 80% power: the one-sample normal formula scaled by the signed-rank
  /// test's efficiency (3/π), never below the 6 pairs the exact test needs to reach p < 0.05.
  /// Nil when the differences show no change beyond the floor.
  public static func neededPairs(_ d: [Double], floor: Double) -> Int? {
    guard let s = SampleSummary(d) else { return nil }
    let delta = Swift.abs(s.mean) - floor
    guard delta > 0 else { return nil }
    let minimum = SignedRankTest.minimumPairs()
    let variance = s.standardDeviation * s.standardDeviation
    guard variance > 0 else { return minimum }
    let zSum = 1.959964 + 0.841621
    let n = zSum * zSum * variance / (delta * delta) * Double.pi / 3
    guard n.isFinite, n < 1_000_000 else { return nil }
    return Swift.max(minimum, Int(n.rounded(.up)))
  }
}

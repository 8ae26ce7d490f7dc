import ProfileModel

/// How `compare` orders its function rows.
public enum CompareSort: String, Sendable, CaseIterable {
  /// Largest absolute change of self time first.
  case delta
  /// Largest relative change first (new and gone functions lead).
  case ratio
  /// Alphabetical.
  case name
}

/// What `compare` shows.
public struct CompareOptions: Sendable {
  /// Row order.
  public var sort: CompareSort
  /// Only rows whose relative change is at least this many percent (new / gone always show).
  public var thresholdPercent: Double?
  /// At most this many rows; nil for all.
  public var rowLimit: Int?
  /// Significance level of the rank test.
  public var alpha: Double
  /// Noise floor as a fraction (0.01 = 1%): a change is significant only when its whole
  /// confidence interval lies beyond ±noise.
  public var noise: Double

  /// Makes options; the defaults are benchstat's (sort by delta, α = 0.05) with poop's 1% floor.
  public init(
    sort: CompareSort = .delta, thresholdPercent: Double? = nil, rowLimit: Int? = nil, alpha: Double = 0.05,
    noise: Double = CompareVerdict.defaultNoise
  ) {
    self.sort = sort
    self.thresholdPercent = thresholdPercent
    self.rowLimit = rowLimit
    self.alpha = alpha
    self.noise = noise
  }
}

/// The statistics of one metric compared over repeats: the Mann–Whitney p-value, the
/// Hodges–Lehmann median change with its 95% interval, and Tukey outliers of each side.
///
/// Significant means both: the test rejects (p < α) **and** the whole interval lies beyond
/// the noise floor (above +noise or below −noise), so a real but tiny change does not fail a gate.
public struct CompareVerdict: Sendable, Equatable {
  /// The default noise floor, 1% (poop's rule).
  public static let defaultNoise = 0.01
  /// Two-sided Mann–Whitney p-value.
  public var pValue: Double
  /// Whether p < α.
  public var testRejects: Bool
  /// Whether p < α and the interval excludes the noise floor.
  public var isSignificant: Bool
  /// Hodges–Lehmann shift of B against A as a fraction of A's median; nil when that median is 0.
  public var change: Double?
  /// 95% interval of `change`; nil when the runs are too few for one (3 per side) or A's median is 0.
  public var interval: ClosedRange<Double>?
  /// The noise floor used, as a fraction.
  public var noise: Double
  /// Runs of A (0-based, in order) outside Tukey's fences; shown, still used by the test.
  public var outliersA: [Int]
  /// Outlying runs of B (see `outliersA`).
  public var outliersB: [Int]
  /// Runs per side that would likely make the observed change significant (nil when the
  /// change is significant already, or when it is within the noise floor so no run count would).
  public var repeatsNeeded: Int?
  /// Number of A/B pairs when the paired test was used (Wilcoxon signed-rank on per-pair
  /// ratios, see `CompareVerdict.init(pairedRuns:_:alpha:noise:)`); nil for the unpaired test.
  public var pairs: Int?

  /// Tests two samples of one metric; nil when either side has fewer than two values.
  /// With `paired` (value i of A and of B ran side by side, as in `bench`) and at least
  /// `SignedRankTest.minimumPairs` pairs of equal count, the paired test is used; else Mann–Whitney.
  public init?(
    _ a: [Double], _ b: [Double], alpha: Double, noise: Double = CompareVerdict.defaultNoise, paired: Bool = false
  ) {
    if paired && a.count == b.count && a.count >= SignedRankTest.minimumPairs(alpha: alpha) {
      self.init(pairedRuns: a, b, alpha: alpha, noise: noise)
    } else {
      self.init(independentRuns: a, b, alpha: alpha, noise: noise)
    }
  }

  /// The unpaired verdict: Mann–Whitney p-value, Hodges–Lehmann shift with its interval.
  init?(independentRuns a: [Double], _ b: [Double], alpha: Double, noise: Double) {
    guard a.count >= 2, b.count >= 2, let test = MannWhitneyTest(a, b), let shift = ShiftEstimate(a, b) else {
      return nil
    }
    pairs = nil
    pValue = test.pValue
    testRejects = test.isSignificant(alpha: alpha)
    self.noise = noise
    let base = SampleSummary(a)?.median ?? 0
    if base != 0 {
      change = shift.shift / base
      if let lo = shift.lower, let hi = shift.upper {
        let x = lo / base
        let y = hi / base
        interval = Swift.min(x, y)...Swift.max(x, y)
      }
    }
    let beyondFloor = interval.map { $0.lowerBound > noise || $0.upperBound < -noise } ?? false
    isSignificant = testRejects && beyondFloor
    outliersA = TukeyFences.outliers(a)
    outliersB = TukeyFences.outliers(b)
    if !isSignificant, let sa = SampleSummary(a), let sb = SampleSummary(b) {
      repeatsNeeded = RepeatsEstimate.needed(sa, sb, noise: noise).map { max($0, max(a.count, b.count) + 1) }
    }
  }
}

/// What a metric of the header counts, so it prints with the right unit.
public enum CompareUnit: Sendable, Equatable {
  case nanoseconds
  case count
  case ratio
}

/// One header line: a whole-run metric on both sides and its change.
public struct CompareMetric: Sendable, Equatable {
  /// `Elapsed`, `CPU Time`, `Parallelism`, `Samples`, `Calls`.
  public var name: String
  /// How the values print.
  public var unit: CompareUnit
  /// Per-run value (the mean over repeats) of each side; nil when the side lacks it.
  public var a: Double?
  /// B's per-run value (see `a`).
  public var b: Double?
  /// Significance over repeats; nil without repeats on both sides.
  public var verdict: CompareVerdict?

  /// (b − a) ÷ a, nil when either is missing or a is 0.
  public var relativeChange: Double? {
    guard let a, let b, a != 0 else { return nil }
    return (b - a) / a
  }
}

/// Whether a function appears on both sides.
public enum ComparePresence: String, Sendable, Equatable {
  case both
  /// Only in B.
  case new
  /// Only in A.
  case gone
}

/// One function compared: self time per run on each side and, when traced, per-call numbers.
public struct CompareRow: Sendable, Equatable {
  /// The function's name.
  public var name: String
  /// Whether it appears in A, B or both.
  public var presence: ComparePresence
  /// Self value per run (0 when absent on that side).
  public var a: Double
  /// B's self value per run (see `a`).
  public var b: Double
  /// Exact per-call statistics on each side (traced sessions only), per run for calls.
  public var callsA: Double?
  /// Calls per run in B.
  public var callsB: Double?
  /// Mean self time per call in A.
  public var avgA: Int64?
  /// Mean self time per call in B.
  public var avgB: Int64?
  /// 95th percentile self time per call in A.
  public var p95A: Int64?
  /// 95th percentile self time per call in B.
  public var p95B: Int64?
  /// Significance over repeats; nil without repeats on both sides.
  public var verdict: CompareVerdict?

  /// b − a.
  public var delta: Double { b - a }
  /// (b − a) ÷ a; nil when a is 0.
  public var relativeChange: Double? { a == 0 ? nil : (b - a) / a }
}

/// How much the statistics can say about the comparison.
public enum CompareEvidence: Sendable, Equatable {
  /// Both sides have repeats: every delta carries a rank-test verdict.
  case repeats(runsA: Int, runsB: Int)
  /// Only one side has repeats.
  case oneSided(runsA: Int, runsB: Int)
  /// One run on each side: differences include run-to-run noise.
  case singleRuns
}

/// `compare A B`: two profiles side by side, from any sources.
public struct CompareReport: Sendable {
  /// How side A is named in the header, e.g. `[1] base`.
  public var labelA: String
  /// How side B is named in the header.
  public var labelB: String
  /// Elapsed, CPU Time, Parallelism, Samples, Calls (lines neither side knows are left out).
  public var header: [CompareMetric]
  /// Function rows after threshold, sort and limit.
  public var rows: [CompareRow]
  /// Rows left out by the threshold or the limit.
  public var hiddenRows: Int
  /// What the self values measure.
  public var valueType: ValueType
  /// Whether either side has exact call statistics (adds Calls / Avg / P95 columns).
  public var hasCallColumns: Bool
  /// Whether the changes carry significance tests.
  public var evidence: CompareEvidence
  /// Significance level of the tests.
  public var alpha: Double
  /// Noise floor of the tests, as a fraction.
  public var noise: Double
  /// A/B pairs when the two sides come from one interleaved bench (0 otherwise); the
  /// verdicts then use the paired test when there are enough pairs (`CompareVerdict.pairs`).
  public var pairs: Int
  /// True when the runs have repeats but the compared column has no per-run values, so the
  /// function rows carry no test (the header's whole-run metrics still do).
  public var rowsUntested: Bool

  /// Compares two sides.
  public init(_ a: CompareSide, _ b: CompareSide, options: CompareOptions = CompareOptions()) {
    labelA = a.label
    labelB = b.label
    alpha = options.alpha
    noise = options.noise
    valueType = a.times.valueType
    hasCallColumns = !a.callStatistics.isEmpty || !b.callStatistics.isEmpty
    if a.hasRepeats && b.hasRepeats {
      evidence = .repeats(runsA: a.runs, runsB: b.runs)
    } else if a.hasRepeats || b.hasRepeats {
      evidence = .oneSided(runsA: a.runs, runsB: b.runs)
    } else {
      evidence = .singleRuns
    }
    let tested = a.hasRepeats && b.hasRepeats
    rowsUntested = (a.hasRepeats || b.hasRepeats) && !(a.rowsPerRun && b.rowsPerRun)
    let rowsTested = tested && a.rowsPerRun && b.rowsPerRun
    let pairCount = a.isPaired(with: b) ? a.benchPairs.count : 0
    func verdict(_ x: [Double], _ y: [Double]) -> CompareVerdict? {
      let aligned = pairCount > 0 && x.count == pairCount && y.count == pairCount
      return tested ? CompareVerdict(x, y, alpha: options.alpha, noise: options.noise, paired: aligned) : nil
    }
    var header: [CompareMetric] = []
    func add(_ name: String, _ unit: CompareUnit, _ x: [Double], _ y: [Double]) {
      guard !x.isEmpty || !y.isEmpty else { return }
      header.append(
        CompareMetric(name: name, unit: unit, a: CompareSide.mean(x), b: CompareSide.mean(y), verdict: verdict(x, y)))
    }
    add("Elapsed", .nanoseconds, a.elapsed, b.elapsed)
    add("CPU Time", .nanoseconds, a.cpu, b.cpu)
    add("Parallelism", .ratio, a.parallelism, b.parallelism)
    header.append(
      CompareMetric(
        name: "Samples", unit: .count, a: Double(a.samples) / Double(a.runs), b: Double(b.samples) / Double(b.runs)))
    if let ca = a.callsPerRun, let cb = b.callsPerRun {
      header.append(CompareMetric(name: "Calls", unit: .count, a: ca, b: cb))
    } else if a.callsPerRun != nil || b.callsPerRun != nil {
      header.append(CompareMetric(name: "Calls", unit: .count, a: a.callsPerRun, b: b.callsPerRun))
    }
    self.header = header
    pairs = pairCount

    var all: [CompareRow] = []
    let names = Set(a.times.selfValue.keys).union(b.times.selfValue.keys)
    for name in names {
      let va = a.times.selfValue[name]
      let vb = b.times.selfValue[name]
      let inA = (va ?? 0) != 0 || a.callStatistics[name] != nil
      let inB = (vb ?? 0) != 0 || b.callStatistics[name] != nil
      guard inA || inB else { continue }
      var row = CompareRow(
        name: name, presence: inA && inB ? .both : (inA ? .gone : .new),
        a: Double(va ?? 0) / Double(a.runs), b: Double(vb ?? 0) / Double(b.runs))
      if let s = a.callStatistics[name] {
        row.callsA = Double(s.calls) / Double(a.runs)
        row.avgA = s.averageSelfNanos
        row.p95A = s.p95SelfNanos
      }
      if let s = b.callStatistics[name] {
        row.callsB = Double(s.calls) / Double(b.runs)
        row.avgB = s.averageSelfNanos
        row.p95B = s.p95SelfNanos
      }
      if rowsTested {
        row.verdict = verdict(
          a.repeatSelf.map { Double($0[name] ?? 0) }, b.repeatSelf.map { Double($0[name] ?? 0) })
      }
      all.append(row)
    }
    var kept = all
    if let t = options.thresholdPercent {
      kept = kept.filter { row in
        guard row.presence == .both else { return true }
        guard let r = row.relativeChange else { return row.b != 0 }
        return abs(r) * 100 >= t
      }
    }
    kept.sort(by: Self.order(options.sort))
    if let limit = options.rowLimit, limit >= 0, kept.count > limit { kept = Array(kept.prefix(limit)) }
    rows = kept
    hiddenRows = all.count - kept.count
  }

  /// The row ordering for a sort key; ties go by name so output is stable.
  static func order(_ sort: CompareSort) -> (CompareRow, CompareRow) -> Bool {
    switch sort {
    case .name:
      return { $0.name < $1.name }
    case .delta:
      return { x, y in
        let dx = abs(x.delta)
        let dy = abs(y.delta)
        return dx != dy ? dx > dy : x.name < y.name
      }
    case .ratio:
      return { x, y in
        let rx = x.relativeChange.map(abs) ?? .infinity
        let ry = y.relativeChange.map(abs) ?? .infinity
        if rx != ry { return rx > ry }
        let dx = abs(x.delta)
        let dy = abs(y.delta)
        return dx != dy ? dx > dy : x.name < y.name
      }
    }
  }

  /// Runs per side that would tell the header's and the five largest rows' not-significant
  /// changes from noise (the largest such estimate), for the note.
  public var repeatsNeeded: Int? {
    let rowsByDelta = rows.sorted(by: Self.order(.delta)).prefix(5)
    let all = header.compactMap { $0.verdict?.repeatsNeeded } + rowsByDelta.compactMap { $0.verdict?.repeatsNeeded }
    return all.max()
  }
}

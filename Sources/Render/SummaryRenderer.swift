import Analysis
import Foundation
import ProfileModel

/// One whole-run metric measured in every repeat of a `run -n N` session.
public struct SummaryRepeatMetric: Sendable, Equatable {
  /// `Elapsed` or `CPU Time`.
  public var name: String
  /// The value of each run, in nanoseconds.
  public var nanoseconds: [Int64]

  /// Makes a metric.
  public init(name: String, nanoseconds: [Int64]) {
    self.name = name
    self.nanoseconds = nanoseconds
  }
}

/// What the summary block knows about a session; fields a source lacks stay nil and their
/// lines or parts are left out.
public struct SummaryFacts: Sendable, Equatable {
  public var command: String?
  public var exit: String?
  public var elapsedNanos: Int64?
  public var cpuNanos: Int64?
  /// Differently named functions in the profile (sampled or traced).
  public var functions: Int?
  /// Functions with exact call statistics (`run --trace`); nil for a sampled session.
  public var tracedFunctions: Int?
  public var totalCalls: Int64?
  public var samples: Int64?
  public var lost: Int64?
  /// Records perfsh could not parse; shown only when some were.
  public var unparsed: Int64?
  /// Per-run values of a repeated capture (`run -n N`); empty for a single run.
  public var repeats: [SummaryRepeatMetric] = []

  public init(
    command: String? = nil, exit: String? = nil, elapsedNanos: Int64? = nil, cpuNanos: Int64? = nil,
    functions: Int? = nil, totalCalls: Int64? = nil, samples: Int64? = nil, lost: Int64? = nil
  ) {
    self.command = command
    self.exit = exit
    self.elapsedNanos = elapsedNanos
    self.cpuNanos = cpuNanos
    self.functions = functions
    self.totalCalls = totalCalls
    self.samples = samples
    self.lost = lost
  }

  /// CPU Time ÷ Elapsed, when both are known and elapsed is not zero.
  public var parallelism: Double? {
    guard let e = elapsedNanos, let c = cpuNanos, e > 0 else { return nil }
    return Double(c) / Double(e)
  }
}

/// The `=== perfsh Performance Summary ===` block of DESIGN.md.
public enum SummaryRenderer {
  /// The block's lines, without colour.
  public static func lines(_ facts: SummaryFacts) -> [String] {
    var lines = ["=== perfsh Performance Summary ==="]
    var first: [String] = []
    if let c = facts.command { first.append("Command: \(DisplayText.escapingControls(c))") }
    if let e = facts.exit { first.append("Exit: \(e)") }
    if !first.isEmpty { lines.append(first.joined(separator: " | ")) }
    var timing: [String] = []
    if let e = facts.elapsedNanos { timing.append("Elapsed: \(DurationFormat.string(nanoseconds: e))") }
    if let c = facts.cpuNanos { timing.append("CPU Time: \(DurationFormat.string(nanoseconds: c))") }
    if let p = facts.parallelism { timing.append("Parallelism: \(parallelismText(p))") }
    if !timing.isEmpty { lines.append(timing.joined(separator: " | ")) }
    var counts: [String] = []
    if let f = facts.functions {
      counts.append("Functions: \(f)" + (facts.tracedFunctions.map { " (\($0) traced)" } ?? ""))
    }
    if let t = facts.totalCalls { counts.append("Total Calls: \(t)") }
    if let s = facts.samples { counts.append("Samples: \(s)") }
    if let l = facts.lost { counts.append("Lost: \(l)") }
    if let u = facts.unparsed { counts.append("Unparsed: \(u)") }
    if !counts.isEmpty { lines.append(counts.joined(separator: " | ")) }
    lines.append(contentsOf: repeatLines(facts.repeats))
    return lines
  }

  /// Writes the block.
  public static func write(_ facts: SummaryFacts, to out: inout some TextOutputStream) {
    for line in lines(facts) { out.write(line + "\n") }
  }

  /// `Runs: 5 (…)` and one line per metric: mean ± 95% CI, median, range and spread.
  static func repeatLines(_ metrics: [SummaryRepeatMetric]) -> [String] {
    let summaries = metrics.compactMap { m in SampleSummary(m.nanoseconds.map(Double.init)).map { (m.name, $0) } }
    guard let runs = summaries.first?.1.values.count, runs > 1 else { return [] }
    var lines = ["Runs: \(runs) (values above are means per run; ± is the 95% confidence interval of the mean)"]
    let width = summaries.map { $0.0.count }.max() ?? 0
    func d(_ v: Double) -> String { DurationFormat.string(nanoseconds: Int64(clampingRounded: v)) }
    for (name, s) in summaries {
      var line = "  " + name + ":" + String(repeating: " ", count: width - name.count) + " " + d(s.mean)
      if let h = s.meanHalfWidth { line += " ± " + d(h) }
      line += " | median " + d(s.median) + " | range " + d(s.min) + " – " + d(s.max)
      line += " | spread " + String(format: "%.1f%%", s.relativeSpread * 100)
      lines.append(line)
    }
    return lines
  }

  /// The seed's `~0.7x` form: one decimal, two below 0.1 so light load does not read `~0.0x`.
  public static func parallelismText(_ p: Double) -> String {
    if p > 0 && p < 0.095 { return "~\(max(0.01, (p * 100).rounded() / 100))x" }
    let tenths = (p * 10).rounded() / 10
    var s = String(tenths)
    if s.hasSuffix(".0") && tenths >= 10 { s.removeLast(2) }
    return "~\(s)x"
  }
}

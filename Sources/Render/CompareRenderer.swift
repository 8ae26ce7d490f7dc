import Analysis
import Foundation
import ProfileModel

/// `compare A B`: the header of whole-run metrics, the function table and the notes on
/// how much the numbers can be trusted.
public enum CompareRenderer {
  /// Writes the report.
  public static func write(
    _ report: CompareReport, to out: inout some TextOutputStream, options: RenderOptions = .plain
  ) {
    for line in lines(report, options: options) { out.write(line + "\n") }
  }

  /// The report's lines.
  public static func lines(_ report: CompareReport, options: RenderOptions = .plain) -> [String] {
    let color = options.color
    let tested: Bool
    if case .repeats = report.evidence { tested = true } else { tested = false }
    var lines = ["=== perfsh Compare: A = \(report.labelA) | B = \(report.labelB) ==="]
    let nameWidth = max(12, report.header.map { $0.name.count + 1 }.max() ?? 0)
    let valueWidth = max(12, report.labelA.count, report.labelB.count)
    lines.append(
      padRight("", nameWidth) + " " + Pad.left("A", valueWidth) + " " + Pad.left("B", valueWidth) + " "
        + Pad.left("change", 8))
    for m in report.header {
      var line = padRight(m.name + ":", nameWidth) + " "
      line += Pad.left(m.a.map { metricText($0, m.unit) } ?? "-", valueWidth) + " "
      line += Pad.left(m.b.map { metricText($0, m.unit) } ?? "-", valueWidth) + " "
      let shown = m.verdict?.change ?? m.relativeChange
      let change = changeText(shown, verdict: m.verdict, tested: tested)
      line += style(Pad.left(change, 8), change: shown, verdict: m.verdict, tested: tested, color: color)
      if let v = m.verdict { line += "  " + pText(v) }
      lines.append(line)
    }
    lines.append("")

    let unit = report.valueType.unit
    var columns = ["A self", "B self", "Δ", "Δ%"]
    if tested { columns.append("p") }
    if report.hasCallColumns { columns += ["calls A", "calls B", "avg A", "avg B", "p95 A", "p95 B"] }
    let width = 10
    lines.append(columns.map { Pad.left($0, width) }.joined(separator: " ") + "  name")
    for row in report.rows {
      var cells: [String] = []
      cells.append(Pad.left(row.presence == .new ? "-" : valueText(row.a, unit: unit), width))
      cells.append(Pad.left(row.presence == .gone ? "-" : valueText(row.b, unit: unit), width))
      cells.append(Pad.left(signed(row.delta, unit: unit), width))
      let pct: String
      switch row.presence {
      case .new: pct = "new"
      case .gone: pct = "gone"
      case .both: pct = changeText(row.verdict?.change ?? row.relativeChange, verdict: row.verdict, tested: tested)
      }
      let styled =
        row.presence == .both
        ? style(
          Pad.left(pct, width), change: row.verdict?.change ?? row.relativeChange, verdict: row.verdict, tested: tested,
          color: color)
        : (row.presence == .new ? TextStyle.red : TextStyle.green).apply(Pad.left(pct, width), enabled: color)
      cells.append(styled)
      if tested { cells.append(Pad.left(row.verdict.map { pValueText($0.pValue) } ?? "", width)) }
      if report.hasCallColumns {
        cells.append(Pad.left(row.callsA.map(countText) ?? "-", width))
        cells.append(Pad.left(row.callsB.map(countText) ?? "-", width))
        cells.append(Pad.left(row.avgA.map { DurationFormat.string(nanoseconds: $0) } ?? "-", width))
        cells.append(Pad.left(row.avgB.map { DurationFormat.string(nanoseconds: $0) } ?? "-", width))
        cells.append(Pad.left(row.p95A.map { DurationFormat.string(nanoseconds: $0) } ?? "-", width))
        cells.append(Pad.left(row.p95B.map { DurationFormat.string(nanoseconds: $0) } ?? "-", width))
      }
      lines.append(cells.joined(separator: " ") + "  " + DisplayText.escapingControls(row.name))
    }
    if report.rows.isEmpty { lines.append("(no functions)") }
    if report.hiddenRows > 0 {
      lines.append("(\(report.hiddenRows) more function\(report.hiddenRows == 1 ? "" : "s") not shown)")
    }
    lines.append("")
    lines.append(contentsOf: notes(report))
    return lines
  }

  /// The closing notes: what the statistics can say, and how many runs would say more.
  public static func notes(_ report: CompareReport) -> [String] {
    var notes: [String] = []
    let unit = report.valueType.unit == "nanoseconds" ? "self time per run" : "\(report.valueType.type) per run"
    switch report.evidence {
    case .repeats(let a, let b):
      let paired = report.pairs >= SignedRankTest.minimumPairs(alpha: report.alpha)
      if paired {
        notes.append(
          "Values are \(unit), means over \(a) (A) and \(b) (B) runs; p: Wilcoxon signed-rank over the "
            + "\(report.pairs) A/B pairs the bench ran side by side, two-sided.")
        notes.append(
          "change: Hodges–Lehmann median of the per-pair changes B vs A with its 95% interval; significant when "
            + "p < \(alphaText(report.alpha)) and the interval clears the ±\(noiseText(report.noise)) noise floor.")
      } else {
        notes.append("Values are \(unit), means over \(a) (A) and \(b) (B) runs; p: Mann–Whitney U, two-sided.")
        notes.append(
          "change: Hodges–Lehmann median change of B vs A with its 95% interval; significant when p < \(alphaText(report.alpha)) "
            + "and the interval clears the ±\(noiseText(report.noise)) noise floor.")
      }
      let insignificant =
        report.header.contains { $0.verdict.map { !$0.isSignificant } ?? false }
        || report.rows.contains { $0.verdict.map { !$0.isSignificant } ?? false }
      if insignificant {
        var note =
          "~: not significant (p ≥ \(alphaText(report.alpha)) or the interval reaches into ±\(noiseText(report.noise)))"
        if let n = report.repeatsNeeded {
          note +=
            n > CompareRenderer.repeatsWorthSuggesting
            ? "; these changes are small against the run-to-run noise (more than \(CompareRenderer.repeatsWorthSuggesting) runs per side would be needed)"
            : paired
              ? "; telling them from noise would take about \(n) runs per side (bench -n \(n))"
              : "; telling them from noise would take about \(n) runs per side (run -n \(n))"
        }
        notes.append(note + ".")
      }
    case .oneSided(let a, let b):
      notes.append(
        "Values are \(unit). Only one side has repeats (\(a) vs \(b) runs): no significance test; "
          + "use run -n 5 for both sides.")
    case .singleRuns:
      notes.append(
        "Values are \(unit). One run on each side: the changes include run-to-run noise and carry no "
          + "significance test; use run -n 5 for both sides to get one.")
    }
    notes.append(contentsOf: outlierNotes(report))
    if report.rowsUntested {
      notes.append(
        "Function rows of \(report.valueType.type) carry no test: repeats keep per-run values of CPU time only.")
    }
    return notes
  }

  /// Runs outside Tukey's fences for each header metric: shown, not dropped (the rank
  /// statistics are robust to them, and dropping runs would bias a gate).
  public static func outlierNotes(_ report: CompareReport) -> [String] {
    var parts: [String] = []
    func runs(_ side: String, _ indices: [Int]) -> String? {
      guard !indices.isEmpty else { return nil }
      return "\(side) run\(indices.count == 1 ? "" : "s") " + indices.map { String($0 + 1) }.joined(separator: ", ")
    }
    for m in report.header {
      guard let v = m.verdict else { continue }
      let sides = [runs("A", v.outliersA), runs("B", v.outliersB)].compactMap { $0 }
      if !sides.isEmpty { parts.append("\(m.name) " + sides.joined(separator: "; ")) }
    }
    guard !parts.isEmpty else { return [] }
    return ["Outlier runs (Tukey fences; kept in the test): " + parts.joined(separator: " | ") + "."]
  }

  /// `1%`, `0.5%`.
  static func noiseText(_ noise: Double) -> String {
    var s = String(format: "%.2f", noise * 100)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s + "%"
  }

  /// Above this many runs per side the note stops suggesting a number.
  public static let repeatsWorthSuggesting = 50

  static func alphaText(_ alpha: Double) -> String {
    var s = String(format: "%.3f", alpha)
    while s.hasSuffix("0") { s.removeLast() }
    return s
  }

  static func changeText(_ change: Double?, verdict: CompareVerdict?, tested: Bool) -> String {
    if let verdict, !verdict.isSignificant { return "~" }
    guard let change else { return "-" }
    return percentText(change)
  }

  /// A relative change as `+12.4%` / `-3.0%`.
  public static func percentText(_ change: Double) -> String {
    let value = (change * 1000).rounded() / 10
    return (value >= 0 ? "+" : "") + String(format: "%.1f%%", value)
  }

  static func pText(_ v: CompareVerdict) -> String {
    var text = "(p=\(pValueText(v.pValue).dropFirst(2))"
    if let i = v.interval { text += ", 95% CI \(percentText(i.lowerBound)) … \(percentText(i.upperBound))" }
    return text + ")"
  }

  /// `p=0.008` with three decimals (`p<0.001` below that).
  static func pValueText(_ p: Double) -> String {
    p < 0.001 ? "p<0.001" : "p=" + String(format: "%.3f", p)
  }

  static func style(_ text: String, change: Double?, verdict: CompareVerdict?, tested: Bool, color: Bool) -> String {
    guard color else { return text }
    if let verdict, !verdict.isSignificant { return TextStyle.dim.apply(text, enabled: true) }
    guard let change, change != 0 else { return text }
    return (change > 0 ? TextStyle.red : TextStyle.green).apply(text, enabled: true)
  }

  static func metricText(_ value: Double, _ unit: CompareUnit) -> String {
    switch unit {
    case .nanoseconds: return DurationFormat.string(nanoseconds: Int64(clampingRounded: value))
    case .ratio: return SummaryRenderer.parallelismText(value)
    case .count: return countText(value)
    }
  }

  /// A self value in its column's unit: a duration, bytes scaled as pprof does (`95.37MB`), or a count.
  static func valueText(_ value: Double, unit: String) -> String {
    switch unit {
    case "nanoseconds": return DurationFormat.string(nanoseconds: Int64(clampingRounded: value))
    case "bytes": return PprofUnits.scaledLabel(Int64(clampingRounded: value), from: "bytes", to: "auto")
    default: return countText(value)
    }
  }

  static func signed(_ value: Double, unit: String) -> String {
    if value == 0 { return unit == "nanoseconds" ? "0s" : "0" }
    return (value > 0 ? "+" : "") + valueText(value, unit: unit)
  }

  static func countText(_ value: Double) -> String {
    value == value.rounded() ? String(Int64(clampingRounded: value)) : String(format: "%.1f", value)
  }
}

/// Left-aligned in `width` columns (Unicode scalars), as `%-10s`.
private func padRight(_ s: String, _ width: Int) -> String {
  let n = s.unicodeScalars.count
  return n >= width ? s : s + String(repeating: " ", count: width - n)
}

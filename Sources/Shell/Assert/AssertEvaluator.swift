import Analysis
import Foundation
import ProfileModel
import Render

/// A measured side of an assert: the per-run values behind it, what they are, and for a
/// change between sessions the rank test's verdict.
struct AssertMeasurement {
  enum Kind: Equatable {
    case time
    case count
    case ratio
    /// A relative change, as a fraction (0.05 = +5%).
    case change
  }

  var value: Double
  var kind: Kind
  /// For self / cum: the value as a fraction of the session's total.
  var share: Double?
  var verdict: CompareVerdict?
  /// How the value prints in messages, e.g. `612.3ms` or `+12.4% (1.2s → 1.35s)`.
  var display: String
}

/// Evaluates parsed assert expressions against the shell's sessions.
struct AssertEvaluator {
  let context: ShellContext

  /// Whether the expression holds, with the message to print either way.
  func evaluate(_ e: AssertExpression) throws(ShellError) -> (passed: Bool, message: String) {
    let lhs = try operand(e.lhs)
    let rhs = try operand(e.rhs)
    let (a, b) = try comparable(lhs, rhs, e)
    var passed = e.comparison.holds(a, b)
    var note = ""
    if e.requiresSignificance {
      let verdict =
        [lhs, rhs].compactMap { m -> CompareVerdict?? in
          if case .measured(let m) = m, m.kind == .change { return .some(m.verdict) }
          return nil
        }.first ?? nil
      guard let verdict else {
        throw .assertUnavailable("'significant' needs repeats in both sessions (capture them with run -n 5 …)")
      }
      if !passed && !verdict.isSignificant {
        passed = true
        note =
          verdict.testRejects
          ? " (not significant: the 95% interval reaches into the ±1% noise floor)"
          : " (not significant, \(pEquals(verdict.pValue)))"
      }
    }
    let message: String
    switch (lhs, rhs) {
    case (.measured(let m), .literal(let l)), (.literal(let l), .measured(let m)):
      if l.unit == .percent, m.kind != .change, let share = m.share {
        let percent = String(format: "%.1f%%", share * 100)
        message = "\(e.text): measured \(percent) of the total (\(m.display)), limit \(l.text)" + note
      } else {
        message = "\(e.text): measured \(m.display), limit \(l.text)" + note
      }
    case (.measured(let x), .measured(let y)):
      message = "\(e.text): \(metricText(e.lhs)) = \(x.display), \(metricText(e.rhs)) = \(y.display)" + note
    case (.literal, .literal):
      message = e.text
    }
    return (passed, message)
  }

  private enum Side {
    case literal(AssertLiteral)
    case measured(AssertMeasurement)
  }

  private func metricText(_ o: AssertOperand) -> String {
    if case .metric(let m) = o { return m.text }
    return ""
  }

  private func operand(_ o: AssertOperand) throws(ShellError) -> Side {
    switch o {
    case .literal(let l): return .literal(l)
    case .metric(let m): return .measured(try measure(m))
    }
  }

  /// The two numbers to compare, after checking that their units agree.
  private func comparable(_ x: Side, _ y: Side, _ e: AssertExpression) throws(ShellError) -> (Double, Double) {
    func fail(_ why: String) -> ShellError { .assertUnavailable("\(e.text): \(why)") }
    switch (x, y) {
    case (.measured(let m), .literal(let l)):
      return try (value(m, against: l, fail: fail), l.value)
    case (.literal(let l), .measured(let m)):
      return try (l.value, value(m, against: l, fail: fail))
    case (.measured(let a), .measured(let b)):
      guard a.kind == b.kind else { throw fail("cannot compare a \(name(a.kind)) with a \(name(b.kind))") }
      return (a.value, b.value)
    case (.literal, .literal):
      throw fail("compare a metric, not two numbers")
    }
  }

  private func value(_ m: AssertMeasurement, against l: AssertLiteral, fail: (String) -> ShellError) throws(ShellError)
    -> Double
  {
    switch (m.kind, l.unit) {
    case (.change, .percent): return m.value * 100
    case (.change, _): throw fail("a change compares with a percentage such as +5%, not '\(l.text)'")
    case (.time, .nanoseconds): return m.value
    case (.time, .percent):
      guard let share = m.share else {
        throw fail("a duration compares with a duration such as 500ms, not '\(l.text)'")
      }
      return share * 100
    case (.time, .plain): throw fail("give '\(l.text)' a unit, e.g. \(l.text)ms or \(l.text)%")
    case (.count, .plain), (.ratio, .plain): return m.value
    case (.count, _), (.ratio, _): throw fail("a \(name(m.kind)) compares with a plain number, not '\(l.text)'")
    }
  }

  private func name(_ kind: AssertMeasurement.Kind) -> String {
    switch kind {
    case .time: return "duration"
    case .count: return "count"
    case .ratio: return "ratio"
    case .change: return "change"
    }
  }

  // MARK: Measuring

  private func measure(_ m: AssertMetric) throws(ShellError) -> AssertMeasurement {
    if let (a, b) = m.compared {
      let (metricA, sa) = try side(m, try context.session("@" + a))
      let (metricB, sb) = try side(m, try context.session("@" + b))
      let va = try AssertSeries(metric: metricA, side: sa)
      let vb = try AssertSeries(metric: metricB, side: sb)
      let ma = va.mean
      let mb = vb.mean
      var change: Double
      if ma == 0 { change = mb == 0 ? 0 : .infinity } else { change = (mb - ma) / ma }
      // The same statistic as compare: with repeats, the Hodges–Lehmann median change, paired
      // (Wilcoxon signed-rank) when the two sessions are one bench's sides.
      let paired = sa.isPaired(with: sb) && va.values.count == sa.benchPairs.count
      let verdict = CompareVerdict(va.values, vb.values, alpha: 0.05, paired: paired)
      if let median = verdict?.change { change = median }
      var display = change.isInfinite ? "new (was 0)" : CompareRenderer.percentText(change)
      display += " (\(format(ma, va.kind)) → \(format(mb, vb.kind))"
      if let verdict {
        display += ", \(pEquals(verdict.pValue))"
        if let i = verdict.interval {
          display +=
            ", 95% CI \(CompareRenderer.percentText(i.lowerBound)) … \(CompareRenderer.percentText(i.upperBound))"
        }
      }
      display += ")"
      return AssertMeasurement(value: change, kind: .change, share: nil, verdict: verdict, display: display)
    }
    let (metric, side) = try side(m, try context.session(m.session.map { "@" + $0 }))
    let series = try AssertSeries(metric: metric, side: side)
    var display = format(series.mean, series.kind)
    if series.values.count > 1, let summary = SampleSummary(series.values), let h = summary.meanHalfWidth {
      display += " ± \(format(h, series.kind)) over \(series.values.count) runs"
    }
    return AssertMeasurement(value: series.mean, kind: series.kind, share: series.share, verdict: nil, display: display)
  }

  /// The metric and side to measure `m` on `session`. `wall(F)` on a sampled off-CPU session
  /// (no traced calls, a `wall` column) is F's inclusive wall time (CPU + off-CPU, as `cum`) on
  /// that column, in the default critical-thread view (`set allthreads on` keeps every thread).
  private func side(_ m: AssertMetric, _ session: Session) throws(ShellError) -> (AssertMetric, CompareSide) {
    let p = session.profile
    guard m.kind == .wall, p.callStatistics.isEmpty, p.sampleTypeIndex(named: "wall") != nil else {
      return (m, try context.compareSide(session))
    }
    var cum = m
    cum.kind = .cum
    let shown = context.settings.allThreads ? p : UnwaitedTime.hidden(from: p)
    return (cum, try context.compareSide(session, profile: shown, sampleIndex: "wall"))
  }

  private func format(_ v: Double, _ kind: AssertMeasurement.Kind) -> String {
    switch kind {
    case .time: return DurationFormat.string(nanoseconds: Int64(clampingRounded: v))
    case .ratio: return String(format: "%.2fx", v)
    case .count, .change: return v == v.rounded() ? String(Int64(clampingRounded: v)) : String(format: "%.1f", v)
    }
  }

  /// `0.123`, or `<0.001`; `pEquals` gives `p=0.123` / `p<0.001`.
  private func pText(_ p: Double) -> String { p < 0.001 ? "<0.001" : String(format: "%.3f", p) }
  private func pEquals(_ p: Double) -> String { p < 0.001 ? "p<0.001" : "p=" + pText(p) }
}

/// Parses an assert expression; every error names the column where it went wrong.
///
/// ```
/// assertion := operand OP operand ["significant"]
/// operand   := NUMBER[UNIT] | metric | "compare" "(" SESSION "," SESSION ")" "." metric
/// metric    := ("elapsed" | "cpu" | "parallelism" | "samples") ["(" SESSION ")"]
///            | ("self" | "cum" | "calls" | "avg" | "max" | "p95" | "wall") "(" PATTERN ["," SESSION] ")"
/// ```
public struct AssertParser {
  private let text: String
  private var tokens: [AssertToken] = []
  private var index = 0

  /// Parses `text` (the words after `assert`, joined by spaces).
  public static func parse(_ text: String) throws(AssertSyntaxError) -> AssertExpression {
    var parser = AssertParser(text: text)
    return try parser.parseAssertion()
  }

  private init(text: String) { self.text = text }

  private var current: AssertToken { tokens[min(index, tokens.count - 1)] }

  private func fail(_ message: String, at token: AssertToken? = nil) -> AssertSyntaxError {
    let t = token ?? current
    let found = t.kind == .end ? "the end" : "'\(t.text)'"
    return AssertSyntaxError(expression: text, column: t.column, message: "\(message), found \(found)")
  }

  private mutating func parseAssertion() throws(AssertSyntaxError) -> AssertExpression {
    tokens = try AssertTokenizer(text).tokens()
    if current.kind == .end {
      throw AssertSyntaxError(expression: text, column: 1, message: "expected an expression such as 'elapsed < 500ms'")
    }
    let lhs = try parseOperand()
    guard case .comparison(let op) = current.kind, let comparison = AssertComparison(rawValue: op) else {
      throw fail("expected a comparison (<, <=, >, >=, ==, !=)")
    }
    index += 1
    let rhs = try parseOperand()
    var significant = false
    if case .identifier("significant") = current.kind {
      significant = true
      index += 1
    }
    guard current.kind == .end else {
      throw fail(significant ? "expected the end of the expression" : "expected the end or 'significant'")
    }
    if case .literal = lhs, case .literal = rhs {
      throw AssertSyntaxError(
        expression: text, column: 1, message: "compare a metric (elapsed, cpu, self(...), …), not two numbers")
    }
    if significant && !isChange(lhs) && !isChange(rhs) {
      throw AssertSyntaxError(
        expression: text, column: tokens[tokens.count - 2].column,
        message: "'significant' applies to a change: compare(A, B).metric")
    }
    return AssertExpression(text: text, lhs: lhs, comparison: comparison, rhs: rhs, requiresSignificance: significant)
  }

  private func isChange(_ operand: AssertOperand) -> Bool {
    if case .metric(let m) = operand, m.compared != nil { return true }
    return false
  }

  private mutating func parseOperand() throws(AssertSyntaxError) -> AssertOperand {
    let start = current
    switch start.kind {
    case .number(let value, let unit, _):
      index += 1
      let scale = AssertLiteral.unitScale(unit) ?? 1
      let kind: AssertLiteral.Unit = unit == "%" ? .percent : (unit.isEmpty || unit == "x" ? .plain : .nanoseconds)
      return .literal(AssertLiteral(value: value * scale, unit: kind, text: start.text))
    case .identifier("compare"):
      index += 1
      try expect(.openParen, "expected '(' after compare")
      let a = try parseSession()
      try expect(.comma, "expected ',' between the two sessions")
      let b = try parseSession()
      try expect(.closeParen, "expected ')' after the two sessions")
      try expect(.dot, "expected '.' and a metric after compare(A, B), e.g. compare(@prev, @last).elapsed")
      var metric = try parseMetric(allowSession: false)
      metric.compared = (a, b)
      metric.text = "compare(@\(a), @\(b))." + metric.text
      return .metric(metric)
    case .identifier:
      return .metric(try parseMetric(allowSession: true))
    default:
      throw fail(
        "expected a metric (elapsed, cpu, parallelism, samples, self, cum, calls, avg, max, p95, wall, compare) or a number"
      )
    }
  }

  private mutating func parseMetric(allowSession: Bool) throws(AssertSyntaxError) -> AssertMetric {
    let start = current
    guard case .identifier(let name) = start.kind, let kind = AssertMetricKind(rawValue: name) else {
      throw fail("expected a metric (elapsed, cpu, parallelism, samples, self, cum, calls, avg, max, p95, wall)")
    }
    index += 1
    var metric = AssertMetric(kind: kind, pattern: nil, session: nil, compared: nil, text: name)
    if kind.takesPattern {
      guard current.kind == .openParen else { throw fail("expected '(' and a function name after \(name)") }
      index += 1
      guard case .pattern(let pattern) = current.kind else { throw fail("expected a function name or pattern") }
      index += 1
      metric.pattern = pattern
      if current.kind == .comma {
        let comma = current
        index += 1
        if !allowSession { throw fail("a metric inside compare(A, B) takes no session of its own", at: comma) }
        metric.session = try parseSession()
      }
      try expect(.closeParen, "expected ')'")
      metric.text = "\(name)(\"\(pattern)\"" + (metric.session.map { ", @\($0)" } ?? "") + ")"
    } else if current.kind == .openParen {
      let open = current
      index += 1
      if !allowSession { throw fail("a metric inside compare(A, B) takes no session of its own", at: open) }
      metric.session = try parseSession()
      try expect(.closeParen, "expected ')'")
      metric.text = "\(name)(@\(metric.session ?? ""))"
    }
    return metric
  }

  /// `@last`, `@prev`, `@3`, `@name`; a bare id or name is accepted too.
  private mutating func parseSession() throws(AssertSyntaxError) -> String {
    switch current.kind {
    case .session(let s):
      index += 1
      return s
    case .identifier(let s):
      index += 1
      return s
    case .number(_, let unit, let signed) where unit.isEmpty && !signed:
      // The digits as written (a Double would round them); a session id is an Int.
      guard let id = Int(current.text), id >= 1 else {
        throw fail("expected a session id (a whole number from 1), @last, @prev or @name")
      }
      index += 1
      return String(id)
    default:
      throw fail("expected a session (@last, @prev, @3 or @name)")
    }
  }

  private mutating func expect(_ kind: AssertToken.Kind, _ message: String) throws(AssertSyntaxError) {
    guard current.kind == kind else { throw fail(message) }
    index += 1
  }
}

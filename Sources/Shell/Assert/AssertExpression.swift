/// A parsed `assert` line: two operands, a comparison, and whether the check only counts
/// a significant change (rank test over repeats) as a failure.
public struct AssertExpression: Equatable, Sendable {
  /// The expression as written.
  public var text: String
  /// The left side.
  public var lhs: AssertOperand
  /// The comparison operator.
  public var comparison: AssertComparison
  /// The right side.
  public var rhs: AssertOperand
  /// `… significant`: fail only when the limit is broken and the change is significant.
  public var requiresSignificance: Bool
}

/// `<`, `<=`, `>`, `>=`, `==`, `!=`.
public enum AssertComparison: String, Equatable, Sendable {
  case less = "<"
  case lessOrEqual = "<="
  case greater = ">"
  case greaterOrEqual = ">="
  case equal = "=="
  case notEqual = "!="

  /// Whether `a OP b` holds.
  public func holds(_ a: Double, _ b: Double) -> Bool {
    switch self {
    case .less: return a < b
    case .lessOrEqual: return a <= b
    case .greater: return a > b
    case .greaterOrEqual: return a >= b
    case .equal: return a == b
    case .notEqual: return a != b
    }
  }
}

/// A side of a comparison: a number with a unit, or a measured metric.
public enum AssertOperand: Equatable, Sendable {
  case literal(AssertLiteral)
  case metric(AssertMetric)
}

/// A number as written: `500ms` (stored in nanoseconds), `25%`, `40000`, `1.5x`.
public struct AssertLiteral: Equatable, Sendable {
  /// What the number is.
  public enum Unit: Equatable, Sendable {
    case nanoseconds
    case percent
    case plain
  }

  /// The value in the unit's base (nanoseconds for durations, percent points for `%`).
  public var value: Double
  /// What kind of number it is.
  public var unit: Unit
  /// The text as written, for messages.
  public var text: String

  /// Literals must stay below this in their base unit (2^63: nanoseconds, percent points,
  /// plain numbers), so they compare with measured Int64 values and print exactly.
  static let limit: Double = 0x1p63

  /// What the limit means for a unit, for the error message.
  static func limitText(_ unit: String) -> String {
    switch unit {
    case "", "x": return "is 2^63 or more"
    case "%": return "is 2^63 percent or more"
    default: return "is 2^63 nanoseconds (about 292 years) or more"
    }
  }

  /// Nanoseconds per unit for time units, 1 for `%`, `x` and no unit; nil for unknown units.
  static func unitScale(_ unit: String) -> Double? {
    switch unit {
    case "": return 1
    case "ns": return 1
    case "us", "µs": return 1e3
    case "ms": return 1e6
    case "s": return 1e9
    case "m", "min": return 60e9
    case "%", "x": return 1
    default: return nil
    }
  }
}

/// The quantities assert can measure.
public enum AssertMetricKind: String, Equatable, Sendable, CaseIterable {
  case elapsed, cpu, parallelism, samples
  case `self`, cum
  case calls, avg, max, p95
  /// Mean wall time per call (self, entry to return); `avg` is the CPU time.
  case wall

  /// Whether the metric's first argument is a function pattern.
  var takesPattern: Bool {
    switch self {
    case .elapsed, .cpu, .parallelism, .samples: return false
    default: return true
    }
  }

  /// Whether the metric needs exact traced calls.
  var needsTrace: Bool {
    switch self {
    case .calls, .avg, .max, .p95, .wall: return true
    default: return false
    }
  }
}

/// A measured quantity: of one session (`self("^parse", @last)`), or the relative change
/// between two (`compare(@prev, @last).self("^parse")`).
public struct AssertMetric: Equatable, Sendable {
  /// What is measured.
  public var kind: AssertMetricKind
  /// The function pattern of self / cum / calls / avg / max / p95.
  public var pattern: String?
  /// The session (nil: the current one); unused inside `compare(…)`.
  public var session: String?
  /// `compare(A, B).metric`: the sessions A and B.
  public var compared: (String, String)?
  /// The text as written, for messages.
  public var text: String

  /// Equal when every part agrees (tuples are not Equatable).
  public static func == (a: AssertMetric, b: AssertMetric) -> Bool {
    a.kind == b.kind && a.pattern == b.pattern && a.session == b.session && a.compared?.0 == b.compared?.0
      && a.compared?.1 == b.compared?.1 && a.text == b.text
  }
}

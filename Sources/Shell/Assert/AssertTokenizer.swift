/// A malformed assert expression: what is wrong and the 1-based column where it is.
public struct AssertSyntaxError: Error, Equatable, CustomStringConvertible {
  /// The expression as written (words joined by single spaces).
  public var expression: String
  /// 1-based column in `expression`.
  public var column: Int
  /// What is wrong, lower case.
  public var message: String

  /// The message, the column, and the expression with a caret under the column.
  public var description: String {
    "assert: \(message) at column \(column)\n  \(expression)\n  \(String(repeating: " ", count: max(0, column - 1)))^"
  }
}

/// One lexical piece of an assert expression with the column it starts at.
struct AssertToken: Equatable {
  enum Kind: Equatable {
    /// `elapsed`, `self`, `compare`, `significant`, …
    case identifier(String)
    /// `@prev`, `@last`, `@3`, `@name` (the text after `@`).
    case session(String)
    /// A number with an optional sign and unit: `500ms`, `+5%`, `40000`, `1.5x`.
    case number(Double, unit: String, signed: Bool)
    /// A function pattern argument, quoted or not (the shell removes quotes before assert sees them).
    case pattern(String)
    /// `<`, `<=`, `>`, `>=`, `==`, `!=`.
    case comparison(String)
    case openParen, closeParen, comma, dot
    case end
  }

  var kind: Kind
  /// 1-based column of the first character.
  var column: Int
  /// The source text of the token.
  var text: String
}

/// Splits an assert expression into tokens; a function's first argument is read as a
/// pattern (up to `,` or the closing parenthesis, brackets balanced) so regular
/// expressions need no quoting.
struct AssertTokenizer {
  /// Functions whose first argument is a function-name pattern.
  static let patternFunctions: Set<String> = ["self", "cum", "calls", "avg", "max", "p95", "wall"]

  let expression: String
  private let chars: [Character]

  init(_ expression: String) {
    self.expression = expression
    chars = Array(expression)
  }

  func tokens() throws(AssertSyntaxError) -> [AssertToken] {
    var tokens: [AssertToken] = []
    var i = 0
    func fail(_ message: String, _ at: Int) -> AssertSyntaxError {
      AssertSyntaxError(expression: expression, column: at + 1, message: message)
    }
    while i < chars.count {
      let c = chars[i]
      let start = i
      if c == " " || c == "\t" {
        i += 1
        continue
      }
      // A pattern argument: right after `self(` etc.
      if tokens.count >= 2, tokens[tokens.count - 1].kind == .openParen,
        case .identifier(let name) = tokens[tokens.count - 2].kind, Self.patternFunctions.contains(name)
      {
        let (pattern, next) = try readPattern(from: i, fail: fail)
        tokens.append(AssertToken(kind: .pattern(pattern), column: start + 1, text: String(chars[start..<next])))
        i = next
        continue
      }
      switch c {
      case "(":
        tokens.append(AssertToken(kind: .openParen, column: i + 1, text: "("))
        i += 1
      case ")":
        tokens.append(AssertToken(kind: .closeParen, column: i + 1, text: ")"))
        i += 1
      case ",":
        tokens.append(AssertToken(kind: .comma, column: i + 1, text: ","))
        i += 1
      case ".":
        tokens.append(AssertToken(kind: .dot, column: i + 1, text: "."))
        i += 1
      case "<", ">", "=", "!":
        var op = String(c)
        if i + 1 < chars.count, chars[i + 1] == "=" { op.append("=") }
        guard op != "=" && op != "!" else {
          throw fail(op == "=" ? "'=' is not a comparison (use '==')" : "unexpected '!' (use '!=')", i)
        }
        tokens.append(AssertToken(kind: .comparison(op), column: i + 1, text: op))
        i += op.count
      case "@":
        var j = i + 1
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || "_-.".contains(chars[j]) {
          // A trailing `.` belongs to `compare(...).x`, not to a session name.
          if chars[j] == "." { break }
          j += 1
        }
        guard j > i + 1 else { throw fail("'@' must be followed by a session (@last, @prev, @3, @name)", i) }
        tokens.append(AssertToken(kind: .session(String(chars[i + 1..<j])), column: i + 1, text: String(chars[i..<j])))
        i = j
      case "+", "-", "0"..."9":
        var j = i
        var signed = false
        if c == "+" || c == "-" {
          signed = true
          j += 1
        }
        let digitsStart = j
        while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
        guard j > digitsStart, let magnitude = Double(String(chars[digitsStart..<j])) else {
          throw fail("expected a number", digitsStart < chars.count ? digitsStart : i)
        }
        let unitStart = j
        while j < chars.count, chars[j].isLetter || chars[j] == "%" || chars[j] == "µ" { j += 1 }
        let unit = String(chars[unitStart..<j])
        guard let scale = AssertLiteral.unitScale(unit) else {
          throw fail("unknown unit '\(unit)' (use ns, us, µs, ms, s, m, %, x or none)", unitStart)
        }
        // Every measured value fits in Int64 (nanoseconds, counts); a literal past that can
        // only be a typo, and would not print or convert exactly.
        guard magnitude * scale < AssertLiteral.limit else {
          throw fail("number too large: '\(String(chars[i..<j]))' \(AssertLiteral.limitText(unit))", i)
        }
        let value = c == "-" ? -magnitude : magnitude
        tokens.append(
          AssertToken(kind: .number(value, unit: unit, signed: signed), column: i + 1, text: String(chars[i..<j])))
        i = j
      default:
        guard c.isLetter || c == "_" else { throw fail("unexpected '\(c)'", i) }
        var j = i
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
        tokens.append(AssertToken(kind: .identifier(String(chars[i..<j])), column: i + 1, text: String(chars[i..<j])))
        i = j
      }
    }
    tokens.append(AssertToken(kind: .end, column: chars.count + 1, text: ""))
    return tokens
  }

  /// Reads a pattern from `start`: a quoted string, or raw text up to a `,` or `)` that is
  /// not inside brackets of the pattern itself. Returns the pattern and where it ended.
  private func readPattern(
    from start: Int, fail: (String, Int) -> AssertSyntaxError
  ) throws(AssertSyntaxError) -> (String, Int) {
    var i = start
    if chars[i] == "\"" || chars[i] == "'" {
      let quote = chars[i]
      guard let end = chars[(i + 1)...].firstIndex(of: quote) else { throw fail("unterminated quote", i) }
      return (String(chars[(i + 1)..<end]), end + 1)
    }
    var depth = 0
    while i < chars.count {
      let c = chars[i]
      if c == "\\" {
        i += 2
        continue
      }
      if c == "(" || c == "[" || c == "{" { depth += 1 }
      if c == ")" || c == "]" || c == "}" {
        if depth == 0 { break }
        depth -= 1
      }
      if c == "," && depth == 0 { break }
      i += 1
    }
    let text = String(chars[start..<min(i, chars.count)])
    let trimmed = text.trimmingWhitespace()
    guard !trimmed.isEmpty else { throw fail("expected a function name or pattern", start) }
    guard i < chars.count else { throw fail("missing ')'", chars.count) }
    return (trimmed, i)
  }
}

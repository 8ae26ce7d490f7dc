/// Splits a command line into commands and words the way a small POSIX shell does.
///
/// Supports single quotes (literal), double quotes (with `\"`, `\\`, `\$` and variables),
/// backslash escapes, `#` comments at the start of a word, `;` between commands,
/// `$1`…`$9`, `$0`, `$#`, `$@` (one word per argument when unquoted, joined by spaces
/// inside double quotes), `${NAME}` from the environment (empty when unset), and unquoted
/// `@…` session references. `$` followed by anything else stays literal, so patterns such
/// as `main$` need no quoting. A command starting with `!` takes the rest of the line
/// verbatim: `!ls -l; echo` becomes the two tokens `!` and `ls -l; echo`.
public struct Tokenizer: Sendable {
  /// `$1`…`$9` and `$@`: the script's arguments.
  public var arguments: [String]
  /// `$0`: the script's name (or `perfsh`).
  public var scriptName: String
  /// Where `${NAME}` looks names up.
  public var environment: [String: String]

  /// Makes a tokenizer with the given positional arguments and environment.
  public init(arguments: [String] = [], scriptName: String = "perfsh", environment: [String: String] = [:]) {
    self.arguments = arguments
    self.scriptName = scriptName
    self.environment = environment
  }

  /// Tokenizes one line into its `;`-separated commands; empty commands are dropped.
  public func tokenize(_ line: String) throws(ShellError) -> [TokenizedCommand] {
    var scanner = Scanner(chars: Array(line))
    var commands: [TokenizedCommand] = []
    var tokens: [Token] = []
    var word = WordBuilder()

    func finishCommand() {
      if !tokens.isEmpty { commands.append(TokenizedCommand(tokens: tokens)) }
      tokens = []
    }

    while let c = scanner.peek() {
      if tokens.isEmpty && !word.started && c == "!" {
        scanner.advance()
        let rest = String(scanner.rest()).trimmingWhitespace()
        tokens = [Token("!"), Token(rest)]
        break
      }
      switch c {
      case " ", "\t", "\r", "\n":
        scanner.advance()
        word.finish(into: &tokens)
      case ";":
        scanner.advance()
        word.finish(into: &tokens)
        finishCommand()
      case "#" where !word.started:
        scanner.skipToEnd()
      case "'":
        scanner.advance()
        word.markQuoted()
        guard let text = scanner.take(until: "'") else {
          throw .syntax("unterminated single quote")
        }
        word.append(text)
      case "\"":
        scanner.advance()
        word.markQuoted()
        try readDoubleQuoted(&scanner, into: &word)
      case "\\":
        scanner.advance()
        guard let escaped = scanner.next() else {
          throw .syntax("line ends with a backslash")
        }
        word.markQuoted()
        word.append(String(escaped))
      case "$":
        scanner.advance()
        try expandVariable(&scanner, into: &word, tokens: &tokens, quoted: false)
      default:
        scanner.advance()
        if !word.started && c == "@" { word.markSessionReference() }
        word.append(String(c))
      }
    }
    word.finish(into: &tokens)
    finishCommand()
    return commands
  }

  private func readDoubleQuoted(_ scanner: inout Scanner, into word: inout WordBuilder) throws(ShellError) {
    var unusedTokens: [Token] = []
    while let c = scanner.next() {
      switch c {
      case "\"":
        return
      case "\\":
        guard let next = scanner.next() else { throw .syntax("unterminated double quote") }
        if next == "\"" || next == "\\" || next == "$" || next == "`" {
          word.append(String(next))
        } else {
          word.append("\\" + String(next))
        }
      case "$":
        try expandVariable(&scanner, into: &word, tokens: &unusedTokens, quoted: true)
      default:
        word.append(String(c))
      }
    }
    throw .syntax("unterminated double quote")
  }

  /// Expands the variable after a `$` (already consumed).
  private func expandVariable(
    _ scanner: inout Scanner, into word: inout WordBuilder, tokens: inout [Token], quoted: Bool
  ) throws(ShellError) {
    guard let c = scanner.peek() else {
      word.append("$")
      return
    }
    switch c {
    case "0"..."9":
      scanner.advance()
      let index = Int(String(c)) ?? 0
      if index == 0 {
        word.append(scriptName)
      } else if index <= arguments.count {
        word.append(arguments[index - 1])
      } else {
        word.markExpanded()
      }
    case "#":
      scanner.advance()
      word.append(String(arguments.count))
    case "@":
      scanner.advance()
      if quoted {
        word.markQuoted()
        word.append(arguments.joined(separator: " "))
        return
      }
      word.markExpanded()
      for (offset, argument) in arguments.enumerated() {
        if offset > 0 {
          word.finish(into: &tokens)
        }
        word.markQuoted()
        word.append(argument)
      }
    case "{":
      scanner.advance()
      guard let name = scanner.take(until: "}") else {
        throw .syntax("unterminated ${")
      }
      guard !name.isEmpty, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
        throw .syntax("bad variable name '${\(name)}'")
      }
      if let value = environment[name] {
        word.append(value)
      } else {
        word.markExpanded()
      }
    default:
      word.append("$")
    }
  }
}

/// A word being built: its text, and whether it exists even when empty ("").
private struct WordBuilder {
  var text = ""
  var started = false
  var quoted = false
  var sessionReference = false

  mutating func append(_ s: String) {
    text += s
    started = true
  }

  mutating func markQuoted() {
    quoted = true
    started = true
  }

  /// An expansion happened; an unquoted word that stays empty produces no token.
  mutating func markExpanded() { started = true }

  mutating func markSessionReference() { sessionReference = true }

  mutating func finish(into tokens: inout [Token]) {
    defer { self = WordBuilder() }
    guard started, quoted || !text.isEmpty else { return }
    let kind: Token.Kind = (sessionReference && !quoted) ? .sessionReference : .word
    tokens.append(Token(text, kind: kind))
  }
}

/// A cursor over a line's characters.
private struct Scanner {
  let chars: [Character]
  var index = 0

  func peek() -> Character? { index < chars.count ? chars[index] : nil }

  mutating func advance() { index += 1 }

  mutating func next() -> Character? {
    defer { index += 1 }
    return peek()
  }

  mutating func skipToEnd() { index = chars.count }

  mutating func rest() -> ArraySlice<Character> {
    defer { index = chars.count }
    return chars[min(index, chars.count)...]
  }

  /// The text up to `terminator` (consumed); nil when the line ends first.
  mutating func take(until terminator: Character) -> String? {
    guard let end = chars[index...].firstIndex(of: terminator) else { return nil }
    defer { index = end + 1 }
    return String(chars[index..<end])
  }
}

extension String {
  /// The string without leading and trailing spaces, tabs and newlines.
  func trimmingWhitespace() -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
    guard let end = lastIndex(where: { !isSpace($0) }) else { return "" }
    return String(self[start...end])
  }
}

/// One word of a command line after quoting and variable expansion.
public struct Token: Equatable, Sendable, CustomStringConvertible {
  /// What the word is, so commands can tell `@last` from a quoted "@last".
  public enum Kind: Equatable, Sendable {
    /// An ordinary word (quoted or not).
    case word
    /// An unquoted `@…` word (`@last`, `@prev`, `@3`, `@name`): a session reference.
    case sessionReference
  }

  /// The word's text after quotes are removed and variables expanded.
  public var text: String
  /// Whether this is a plain word or a session reference.
  public var kind: Kind

  /// Makes a token; words are `.word` unless stated.
  public init(_ text: String, kind: Kind = .word) {
    self.text = text
    self.kind = kind
  }

  /// The token's text.
  public var description: String { text }
}

/// The tokens of one command (a line holds several, separated by `;`).
public struct TokenizedCommand: Equatable, Sendable {
  /// The command name followed by its arguments.
  public var tokens: [Token]

  /// Makes a command from its tokens.
  public init(tokens: [Token]) { self.tokens = tokens }

  /// The tokens' texts, as handed to a command's argument parser.
  public var words: [String] { tokens.map(\.text) }
}

/// A reference to a captured or loaded session, written `@last`, `@prev`, `@N` or `@name`.
///
/// Sessions arrive with the session store; the syntax is reserved now so scripts
/// written today keep their meaning.
public enum SessionReference: Equatable, Sendable {
  /// `@last`: the most recent session.
  case last
  /// `@prev`: the session before the most recent one.
  case previous
  /// `@N`: the session with id N.
  case id(Int)
  /// `@name`: the session with this name.
  case name(String)

  /// Reads `@last`, `@prev`, `@N` or `@name`; nil when the text does not start with `@`
  /// or names nothing.
  public init?(_ text: String) {
    guard text.hasPrefix("@"), text.count > 1 else { return nil }
    let body = String(text.dropFirst())
    switch body {
    case "last": self = .last
    case "prev": self = .previous
    default:
      if let id = Int(body), id > 0 { self = .id(id) } else { self = .name(body) }
    }
  }
}

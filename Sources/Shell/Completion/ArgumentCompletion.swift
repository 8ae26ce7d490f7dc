/// What a command's argument (or an option's value) completes to when Tab is pressed.
public enum ArgumentCompletion: Sendable, Equatable {
  /// Nothing to offer.
  case none
  /// Paths in the file system.
  case file
  /// Command names (for `help CMD`).
  case command
  /// Setting names (for `set NAME`).
  case setting
  /// Session ids and names, from `ShellContext.completionProvider`.
  case session
  /// Function names of the current session, from `ShellContext.completionProvider`.
  case function
  /// A fixed list of words.
  case choices([String])
}

/// Supplies completions that depend on loaded data (sessions, functions).
///
/// Extension point: the session store sets `ShellContext.completionProvider` to
/// something that answers `.session` and `.function`.
public protocol CompletionProvider: AnyObject {
  /// Candidates of `kind` that start with `prefix`.
  func candidates(for kind: ArgumentCompletion, prefix: String) -> [String]
}

/// The result of completing the word under the cursor.
public struct Completion: Sendable, Equatable {
  /// The partial word being completed (the text after the last unquoted space).
  public var word: String
  /// Every full word that could replace it, sorted, without duplicates.
  public var candidates: [String]

  /// Makes a completion result.
  public init(word: String, candidates: [String]) {
    self.word = word
    self.candidates = candidates
  }

  /// The text to insert after the cursor: the candidates' common extension of `word`,
  /// plus a space when exactly one candidate remains and it is not a directory.
  public var insertion: String {
    guard let first = candidates.first else { return "" }
    var common = Array(first)
    for candidate in candidates.dropFirst() {
      let other = Array(candidate)
      var length = 0
      while length < common.count, length < other.count, common[length] == other[length] { length += 1 }
      common.removeSubrange(length...)
    }
    let wordLength = word.count
    guard common.count >= wordLength else { return "" }
    var text = String(common[wordLength...])
    if candidates.count == 1, !first.hasSuffix("/") { text += " " }
    return text
  }
}

/// What reading one line produced.
public enum LineInput: Sendable, Equatable {
  /// A line, without its newline.
  case line(String)
  /// Ctrl-C at the prompt: the half-typed line is dropped and a fresh prompt follows.
  case interrupted
  /// Ctrl-D on an empty line, or the end of a file or pipe.
  case endOfInput
}

/// Where the shell gets its lines: libedit at a terminal, plain reads from pipes and
/// files, or a fixed list in tests. The shell reaches the terminal only through this.
public protocol LineReader: AnyObject {
  /// Shows `prompt` (when the reader has a screen) and reads one line.
  func readLine(prompt: String) -> LineInput
  /// Records a line so Up recalls it (and, for libedit, saves it to the history file).
  func addHistory(_ line: String)
  /// The history known at start (loaded from disk), oldest first.
  var loadedHistory: [String] { get }
  /// Sets what Tab does: given the text before the cursor, what may follow.
  func setCompleter(_ completer: @escaping (String) -> Completion)
}

/// Reads from a list of lines: script files, `-c` strings, and tests.
public final class ScriptedLineReader: LineReader {
  private var lines: [String]
  private var index = 0
  /// Every prompt shown, so tests can check them.
  public private(set) var prompts: [String] = []
  /// Every line added to history.
  public private(set) var history: [String] = []
  /// What tests get back from `readLine` between lines (e.g. `.interrupted`), keyed by index.
  public var events: [Int: LineInput] = [:]
  /// The completer the shell installed, for tests that ask it directly.
  public private(set) var completer: ((String) -> Completion)?

  /// Reads these lines in order, then reports end of input.
  public init(lines: [String]) { self.lines = lines }

  /// Splits a text into lines at "\n" or "\r\n" (a final line break does not add an empty line).
  public convenience init(text: String) {
    self.init(lines: TextLines.split(text))
  }

  /// The next line, or `.endOfInput`.
  public func readLine(prompt: String) -> LineInput {
    prompts.append(prompt)
    if let event = events.removeValue(forKey: index) { return event }
    guard index < lines.count else { return .endOfInput }
    defer { index += 1 }
    return .line(lines[index])
  }

  /// Remembers the line.
  public func addHistory(_ line: String) { history.append(line) }

  /// Nothing is loaded from disk.
  public var loadedHistory: [String] { [] }

  /// Keeps the completer for tests.
  public func setCompleter(_ completer: @escaping (String) -> Completion) { self.completer = completer }
}

/// Reads standard input line by line without libedit (pipes and redirected files).
public final class StandardInputReader: LineReader {
  /// Makes a reader of the process's standard input.
  public init() {}

  /// The next line of standard input; no prompt is shown.
  public func readLine(prompt: String) -> LineInput {
    guard let line = Swift.readLine(strippingNewline: true) else { return .endOfInput }
    return .line(line)
  }

  /// Pipes keep no history.
  public func addHistory(_ line: String) {}

  /// Pipes load no history.
  public var loadedHistory: [String] { [] }

  /// Pipes have no Tab.
  public func setCompleter(_ completer: @escaping (String) -> Completion) {}
}

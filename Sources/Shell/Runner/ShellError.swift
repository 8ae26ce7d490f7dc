/// Why a shell line failed; `description` is the lower-case message the runner
/// prefixes with `perfsh: ` (interactive) or `FILE:LINE: ` (scripts).
public enum ShellError: Error, CustomStringConvertible, Equatable {
  /// The line could not be tokenized (unterminated quote, trailing backslash, …).
  case syntax(String)
  /// No command has this name; `suggestion` is the closest known name.
  case unknownCommand(String, suggestion: String?)
  /// The command's arguments did not parse; `message` is the parser's text with usage.
  case badArguments(command: String, message: String)
  /// No setting has this name.
  case unknownSetting(String, suggestion: String?)
  /// A setting was given a value it does not accept.
  case invalidSetting(name: String, value: String, expected: String)
  /// A file could not be read (errno from the failing call).
  case cannotRead(path: String, reason: String)
  /// A file could not be written.
  case cannotWrite(path: String, reason: String)
  /// A `!CMD` shell escape or external program ended unsuccessfully.
  case externalFailed(command: String, status: Int32)
  /// A failure a command describes in its own words.
  case failed(String)
  /// A failure that decides perfsh's exit status, e.g. 127 for `run` of a missing command.
  case commandFailed(String, exitStatus: Int32)
  /// A nested script (`source`) already printed its own `FILE:LINE:` diagnostics.
  case alreadyReported

  /// The lower-case message (without the `perfsh: ` / `FILE:LINE: ` prefix).
  public var description: String {
    switch self {
    case .syntax(let message):
      return message
    case .unknownCommand(let name, let suggestion):
      return "unknown command '\(name)'" + Self.didYouMean(suggestion)
    case .badArguments(_, let message):
      return message
    case .unknownSetting(let name, let suggestion):
      return "unknown setting '\(name)'" + Self.didYouMean(suggestion)
    case .invalidSetting(let name, let value, let expected):
      return "invalid value '\(value)' for \(name): expected \(expected)"
    case .cannotRead(let path, let reason):
      return "cannot read \(path): \(reason)"
    case .cannotWrite(let path, let reason):
      return "cannot write \(path): \(reason)"
    case .externalFailed(let command, let status):
      return status >= 128
        ? "'\(command)' was killed by signal \(status - 128)"
        : "'\(command)' exited with status \(status)"
    case .failed(let message), .commandFailed(let message, _):
      return message
    case .alreadyReported:
      return "failed"
    }
  }

  /// The exit status `perfsh CMD` ends with when this error stops it.
  public var exitStatus: Int32 {
    if case .commandFailed(_, let status) = self { return status }
    return 1
  }

  private static func didYouMean(_ suggestion: String?) -> String {
    guard let suggestion else { return "" }
    return " (did you mean '\(suggestion)'?)"
  }
}

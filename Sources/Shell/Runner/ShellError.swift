import Analysis
import Formats
import Glibc
import Syscalls

/// Why a shell line failed; `description` is the lower-case message the runner
/// prefixes with `perfsh: ` (interactive) or `FILE:LINE: ` (scripts). Cases carry the
/// facts; every message is built here, in one place.
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
  /// A command could not do what it was asked; the facts and the message are in `CommandFailure`.
  case command(CommandFailure)
  /// A session reference that names no session (or there is none).
  case session(SessionError)
  /// An analysis step (a filter's regex, a report) failed.
  case analysis(AnalysisError)
  /// The terminal could not be used as the interactive views and line editing need.
  case terminal(TerminalFailure)
  /// An external program could not be started or waited for (`errno` of the failing call).
  case process(program: String, step: ProcessStep, errno: Errno)
  /// perfsh's own command line was wrong; the message ends with the usage text.
  case launchOption(LaunchOptionProblem, usage: String)
  /// An option wanted a percentage (`example` shows one) and got `value`.
  case badPercentage(command: String?, option: String, example: String, value: String)
  /// `assert` could not read its expression.
  case assertSyntax(AssertSyntaxError)
  /// `assert` could not evaluate (a metric the session lacks, no match): `reason` follows `assert: `.
  case assertUnavailable(String)
  /// An assertion was false: `message` says what was measured.
  case assertionFailed(String)
  /// `run -n` could not merge its runs.
  case repeatedRun(RepeatMergeError)
  /// `run -n` captured no run.
  case noRunCaptured
  /// A session or interchange file (`save`, `open`, `load`, `export`) could not be written or
  /// read; `file` is the path given.
  case sessionFile(FormatError, file: String)
  /// `quit` was given a status outside 0…255.
  case badExitStatus(Int32)
  /// `!` was given no command.
  case emptyShellEscape
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
    case .commandFailed(let message, _):
      return message
    case .command(let failure):
      return failure.description
    case .session(let error):
      return error.description
    case .analysis(let error):
      return error.description
    case .terminal(let failure):
      return failure.description
    case .process(let program, let step, let code):
      switch step {
      case .start: return "cannot start \(program): \(code.message)"
      case .wait: return "waiting for \(program): \(code.message)"
      }
    case .launchOption(let problem, let usage):
      switch problem {
      case .missingValue(let flag): return "option \(flag) needs a value\n" + usage
      case .unknown(let name, let suggestion):
        return "unknown option '\(name)'" + Self.didYouMean(suggestion) + "\n" + usage
      }
    case .badPercentage(let command, let option, let example, let value):
      return (command.map { "\($0): " } ?? "") + "\(option) takes a percentage such as \(example), not '\(value)'"
    case .assertSyntax(let error):
      return error.description
    case .assertUnavailable(let reason):
      return "assert: " + reason
    case .assertionFailed(let message):
      return "assertion failed: " + message
    case .repeatedRun(let error):
      return "run -n: \(error.description)"
    case .noRunCaptured:
      return "run -n: no run was captured"
    case .sessionFile(let error, let file):
      return error.path == nil ? "\(file): \(error.description)" : error.description
    case .badExitStatus(let status):
      return "quit: status must be 0 to 255, not \(status)"
    case .emptyShellEscape:
      return "!: expected a command after !"
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

/// Why the terminal could not be used.
public enum TerminalFailure: Equatable, Sendable, CustomStringConvertible {
  /// Standard input is not a terminal.
  case notATerminal
  /// tcgetattr failed with this errno.
  case cannotReadSettings(errno: Errno)
  /// tcsetattr refused raw mode.
  case cannotSetRawMode
  /// libedit's initialisation (`el_init` or `history_init`) failed.
  case lineEditing(call: String)

  public var description: String {
    switch self {
    case .notATerminal: return "the interactive view needs a terminal (standard input is not one)"
    case .cannotReadSettings(let code): return "cannot read terminal settings: \(code.message)"
    case .cannotSetRawMode: return "cannot switch the terminal to raw mode"
    case .lineEditing(let call): return "cannot start line editing (\(call) failed)"
    }
  }
}

/// Which step of running an external program failed.
public enum ProcessStep: Equatable, Sendable {
  case start, wait
}

/// What was wrong with perfsh's own command line.
public enum LaunchOptionProblem: Equatable, Sendable {
  /// The option needs a value and none followed.
  case missingValue(flag: String)
  /// No option has this name; `suggestion` is the closest known one.
  case unknown(name: String, suggestion: String?)
}

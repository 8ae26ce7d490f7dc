/// Runs a script (a file, `-c` text, or lines piped in) line by line.
///
/// The first failing line prints `FILE:LINE: message` and stops the script; with
/// `context.keepGoing` the script goes on and still ends with status 1.
public struct ScriptRunner {
  /// How a script ended.
  public struct Outcome: Sendable, Equatable {
    /// 0 when every line succeeded, 1 after a failure, or the status `quit N` gave.
    public var exitStatus: Int32
    /// How many lines failed.
    public var failures: Int
    /// Whether `quit` ended it.
    public var quit: Bool

    /// Makes an outcome.
    public init(exitStatus: Int32, failures: Int, quit: Bool) {
      self.exitStatus = exitStatus
      self.failures = failures
      self.quit = quit
    }
  }

  /// The context commands run in.
  public let context: ShellContext

  /// Makes a runner for a context.
  public init(context: ShellContext) { self.context = context }

  /// Runs every line `reader` gives, naming them `file:N`, with `$1`… set to `arguments`.
  /// The context's position and arguments are restored afterwards (so `source` nests).
  public func run(_ reader: any LineReader, file: String, arguments: [String]) -> Outcome {
    let saved = (context.position, context.arguments, context.scriptName, context.scriptStack)
    defer { (context.position, context.arguments, context.scriptName, context.scriptStack) = saved }
    context.scriptStack.append(file)
    context.arguments = arguments
    context.scriptName = file
    var lineNumber = 0
    var failures = 0
    var lastStatus = CommandStatus.success
    reading: while true {
      switch reader.readLine(prompt: "") {
      case .endOfInput:
        break reading
      case .interrupted:
        continue reading
      case .line(let line):
        lineNumber += 1
        context.position = ScriptPosition(file: file, line: lineNumber)
        do throws(ShellError) {
          lastStatus = try CommandExecutor.run(line: line, in: context)
          if lastStatus.quits {
            return Outcome(exitStatus: failures > 0 ? 1 : lastStatus.exitStatus, failures: failures, quit: true)
          }
        } catch {
          context.flush()
          failures += 1
          if error != .alreadyReported { context.report(error.description) }
          if !context.keepGoing { break reading }
        }
      }
    }
    context.flush()
    return Outcome(exitStatus: failures > 0 ? 1 : 0, failures: failures, quit: false)
  }

  /// Runs a script's text.
  public func run(text: String, file: String, arguments: [String]) -> Outcome {
    run(ScriptedLineReader(text: text), file: file, arguments: arguments)
  }
}

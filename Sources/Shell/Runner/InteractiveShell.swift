import Capture
import Foundation

/// The read–run loop at the `perfsh> ` prompt: a bad command prints `perfsh: …` and
/// the loop goes on; Ctrl-C drops the line; Ctrl-D on an empty line, `quit` or SIGHUP ends it.
public struct InteractiveShell {
  /// The prompt.
  public static let prompt = "perfsh> "

  /// The context commands run in.
  public let context: ShellContext
  /// Where lines come from.
  public let reader: any LineReader

  /// Makes a shell over a reader.
  public init(context: ShellContext, reader: any LineReader) {
    self.context = context
    self.reader = reader
  }

  /// Runs `~/.perfshrc` (errors print as `FILE:LINE:` and never stop the shell), then
  /// reads commands until end of input or `quit`. Returns the exit status.
  public func run(runRCFile: Bool) -> Int32 {
    context.isInteractive = true
    context.history = reader.loadedHistory
    let context = self.context
    reader.setCompleter { text in context.completer.complete(text) }
    if runRCFile, let status = runRC(), status.quits { return status.exitStatus }
    while true {
      context.position = nil
      // SIGHUP (at the prompt, or relayed during a run) ends the shell here, so the reader's
      // deinit restores the terminal; history is saved after every line already.
      if Hangup.received { return Hangup.exitStatus }
      Hangup.watch()  // again: a full-screen view resets SIGHUP to the default
      switch reader.readLine(prompt: Self.prompt) {
      case .endOfInput:
        return Hangup.received ? Hangup.exitStatus : 0
      case .interrupted:
        continue
      case .line(let line):
        if line.trimmingWhitespace().isEmpty { continue }
        reader.addHistory(line)
        context.history.append(line)
        do throws(ShellError) {
          let status = try CommandExecutor.run(line: line, in: context)
          if status.quits { return status.exitStatus }
        } catch {
          context.flush()
          if error != .alreadyReported { context.report(error.description) }
        }
      }
    }
  }

  private func runRC() -> CommandStatus? {
    let path = context.paths.rcFile
    guard !TextFile.isMissing(path) else { return nil }
    let text: String
    do throws(ShellError) {
      text = try TextFile.read(path)
    } catch {
      context.warn(error.description)
      return nil
    }
    let keepGoing = context.keepGoing
    context.keepGoing = true
    defer { context.keepGoing = keepGoing }
    let outcome = ScriptRunner(context: context).run(text: text, file: path, arguments: [])
    return outcome.quit ? CommandStatus(exitStatus: outcome.exitStatus, quits: true) : nil
  }
}

import Shell

/// A shell whose output is captured in memory, for running commands in unit tests.
public final class CapturedShell {
  /// The context the commands run in (its `out` and `err` capture).
  public let context: ShellContext

  /// Makes a shell with default (or given) settings and an environment.
  public init(settings: Settings = Settings(), environment: [String: String] = ["HOME": "/nonexistent"]) {
    context = ShellContext(
      out: .capture(), err: .capture(), settings: settings, environment: environment,
      outputIsTerminal: false, terminalWidth: 80)
  }

  /// Everything written to the results stream so far.
  public var stdout: String { context.out.text }
  /// Everything written to the diagnostics stream so far.
  public var stderr: String { context.err.text }

  /// Runs a script text as `file` and returns its outcome.
  @discardableResult
  public func runScript(_ text: String, file: String = "test.perfsh", arguments: [String] = [], keepGoing: Bool = false)
    -> ScriptRunner.Outcome
  {
    context.keepGoing = keepGoing
    return ScriptRunner(context: context).run(text: text, file: file, arguments: arguments)
  }

  /// Runs the prompt loop over scripted lines and returns its exit status.
  @discardableResult
  public func runInteractive(_ reader: ScriptedLineReader, runRCFile: Bool = false) -> Int32 {
    InteractiveShell(context: context, reader: reader).run(runRCFile: runRCFile)
  }
}

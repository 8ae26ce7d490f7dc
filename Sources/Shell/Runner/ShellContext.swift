import ProfileModel
import Symbolize

/// Everything a command may use: output streams, settings, terminal facts, the script
/// position, history, and (later) the sessions. One context lives for a whole perfsh run.
public final class ShellContext {
  /// Results (tables, reports). Tests pass `.capture()` and read `text`.
  public let out: OutputChannel
  /// Diagnostics and progress; never mixed into results.
  public let err: OutputChannel
  /// Current settings with their origins (`set` changes them).
  public var settings: Settings
  /// The process environment, for `${NAME}` and for children.
  public let environment: [String: String]
  /// Where history, config and rc files live.
  public let paths: ShellPaths
  /// The commands this shell runs.
  public let registry: CommandRegistry
  /// Whether standard output is a terminal (decides `color=auto`).
  public var outputIsTerminal: Bool
  /// Columns available for tables: `COLUMNS`, the terminal's width, or 80.
  public var terminalWidth: Int
  /// Whether lines come from a person at a prompt (not a script, pipe or `-c`).
  public var isInteractive: Bool = false
  /// The line being run when it comes from a script (nil at the prompt).
  public var position: ScriptPosition?
  /// `$1`…`$9` and `$@` for the script being run.
  public var arguments: [String] = []
  /// `$0`.
  public var scriptName: String = "perfsh"
  /// The scripts being run, outermost first (`source` nests them); bounds `source` depth.
  public var scriptStack: [String] = []
  /// Lines entered at the prompt, oldest first (includes history loaded from disk).
  public var history: [String] = []
  /// Whether scripts go on after a failing line (then exit 1 at the end).
  public var keepGoing: Bool = false
  /// The status of the last `quit` run (nil until one runs), so the shell that
  /// `perfsh run CMD` opens can tell `quit 3` from Ctrl-D.
  public var quitStatus: Int32?
  /// Sessions' profiles with display names (simple or full, `[k]` marks), kept so repeated
  /// reports do not simplify every name again; see `displayProfile`.
  var displayProfiles: [String: Profile] = [:]

  // MARK: - Sessions

  /// Every profile held in this shell (`run`, `load`), and which one is current.
  public var sessions = SessionStore() {
    didSet { serving?.publish(sessions, settings: settings) }
  }
  /// The `serve` server and the snapshot it reads; republished whenever `sessions` changes.
  var serving: ServeState?
  /// Reads each binary once for all sessions of this shell (cached by path and build id).
  public lazy var symbolizer = Symbolizer()
  /// Whether standard input is a terminal (interactive views need one).
  public var inputIsTerminal: Bool = false

  /// Answers `.session` and `.function` completions; nil until sessions exist.
  public var completionProvider: (any CompletionProvider)?

  /// Makes a context.
  public init(
    out: OutputChannel, err: OutputChannel, settings: Settings = Settings(),
    environment: [String: String] = [:], registry: CommandRegistry = CommandRegistry(),
    outputIsTerminal: Bool = false, terminalWidth: Int = 80
  ) {
    self.out = out
    self.err = err
    self.settings = settings
    self.environment = environment
    self.paths = ShellPaths(environment: environment)
    self.registry = registry
    self.outputIsTerminal = outputIsTerminal
    self.terminalWidth = terminalWidth
    err.flushesFirst = out
    // Colour codes pass the channels only while colour is on; any other ESC is always escaped.
    let colorOn: () -> Bool = { [weak self] in self?.useColor ?? false }
    out.allowsStyleCodes = colorOn
    err.allowsStyleCodes = colorOn
    completionProvider = SessionCompletionProvider(context: self)
  }

  /// Whether to write ANSI colours: `color` setting, `NO_COLOR` (folded into the
  /// setting), and for `auto` whether standard output is a terminal.
  public var useColor: Bool {
    switch settings.colorMode {
    case .always: true
    case .never: false
    case .auto: outputIsTerminal
    }
  }

  /// Tab completion for the current registry, settings and provider.
  public var completer: Completer {
    Completer(registry: registry, settingNames: settings.definitions.map(\.name), provider: completionProvider)
  }

  /// A tokenizer for the current script arguments and environment.
  public var tokenizer: Tokenizer {
    Tokenizer(arguments: arguments, scriptName: scriptName, environment: environment)
  }

  /// Writes a diagnostic with the current prefix: `FILE:LINE: ` in a script, else `perfsh: `.
  public func report(_ message: String) {
    let prefix = position.map { "\($0): " } ?? "perfsh: "
    err.write(prefix + message + "\n")
    err.flush()
  }

  /// Writes a warning that is not tied to a line (`perfsh: …`).
  public func warn(_ message: String) {
    err.write("perfsh: " + message + "\n")
    err.flush()
  }

  /// Sends buffered output to its destination.
  public func flush() {
    out.flush()
    err.flush()
  }
}

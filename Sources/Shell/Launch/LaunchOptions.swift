/// What `perfsh`'s own command line asks for.
///
/// `perfsh [OPTIONS]` (interactive on a terminal, line by line otherwise),
/// `perfsh [OPTIONS] FILE [ARGS…]` (a script: FILE is an existing file),
/// `perfsh [OPTIONS] -c 'CMDS' [ARGS…]`, and `perfsh [OPTIONS] CMD [ARGS…]` (one shell
/// command, e.g. `perfsh run ./x`). Options come before the first other word.
public struct LaunchOptions: Equatable, Sendable {
  /// The way perfsh runs.
  public enum Mode: Equatable, Sendable {
    /// The prompt on a terminal; otherwise standard input as a script.
    case shell
    /// A script file with its arguments.
    case script(path: String, arguments: [String])
    /// `-c` text with its arguments.
    case commandString(String, arguments: [String])
    /// One shell command with its arguments, not tokenized again.
    case command([String])
    /// `--help`.
    case help
    /// `--version`.
    case version
  }

  /// The mode.
  public var mode: Mode = .shell
  /// `--keep-going`: scripts go on after a failing line and exit 1 at the end.
  public var keepGoing = false
  /// `--no-rc`: skip `~/.perfshrc`.
  public var skipRC = false
  /// Settings given as flags (`--color never`, `--freq=499`), by setting name.
  public var settings: [String: String] = [:]

  /// Makes default options (interactive shell).
  public init() {}

  /// Parses `perfsh`'s arguments (without the program name). `isFile` decides whether
  /// the first word is a script; otherwise it must name a command of `registry`.
  public static func parse(
    _ arguments: [String], registry: CommandRegistry = CommandRegistry(),
    definitions: [SettingDefinition] = SettingDefinition.all,
    isFile: (String) -> Bool
  ) throws(ShellError) -> LaunchOptions {
    var options = LaunchOptions()
    var index = 0
    func value(for flag: String) throws(ShellError) -> String {
      index += 1
      guard index < arguments.count else { throw .launchOption(.missingValue(flag: flag), usage: usage) }
      return arguments[index]
    }
    while index < arguments.count {
      let argument = arguments[index]
      switch argument {
      case "-h", "--help":
        options.mode = .help
        return options
      case "--version":
        options.mode = .version
        return options
      case "--keep-going", "-k":
        options.keepGoing = true
      case "--no-rc":
        options.skipRC = true
      case "-c":
        let text = try value(for: "-c")
        options.mode = .commandString(text, arguments: Array(arguments[(index + 1)...]))
        return options
      case "--":
        index += 1
        guard index < arguments.count else { return options }
        options.mode = try positional(arguments[index...], registry: registry, isFile: isFile)
        return options
      default:
        if argument.hasPrefix("--") {
          let body = argument.dropFirst(2)
          let name: String
          let given: String
          if let equals = body.firstIndex(of: "=") {
            name = String(body[..<equals])
            given = String(body[body.index(after: equals)...])
          } else {
            name = String(body)
            guard definitions.contains(where: { $0.name == name }) else {
              throw unknownOption(argument, definitions: definitions)
            }
            given = try value(for: argument)
          }
          guard definitions.contains(where: { $0.name == name }) else {
            throw unknownOption(argument, definitions: definitions)
          }
          options.settings[name] = given
        } else if argument.hasPrefix("-"), argument.count > 1 {
          throw unknownOption(argument, definitions: definitions)
        } else {
          options.mode = try positional(arguments[index...], registry: registry, isFile: isFile)
          return options
        }
      }
      index += 1
    }
    return options
  }

  private static func positional(
    _ words: ArraySlice<String>, registry: CommandRegistry, isFile: (String) -> Bool
  ) throws(ShellError) -> Mode {
    guard let first = words.first else { return .shell }
    let rest = Array(words.dropFirst())
    if isFile(first) { return .script(path: first, arguments: rest) }
    if registry.lookup(first) != nil { return .command(Array(words)) }
    if first.contains("/") || first.hasSuffix(".perfsh") {
      throw .cannotRead(path: first, reason: "no such file")
    }
    throw .unknownCommand(first, suggestion: Suggestion.closest(to: first, in: registry.allNames))
  }

  private static func unknownOption(_ option: String, definitions: [SettingDefinition]) -> ShellError {
    let known = ["--help", "--version", "--keep-going", "--no-rc"] + definitions.map(\.flag)
    let name = String(option.split(separator: "=").first ?? Substring(option))
    return .launchOption(.unknown(name: name, suggestion: Suggestion.closest(to: name, in: known)), usage: usage)
  }

  /// The one-paragraph usage printed with option errors.
  public static let usage = """
    usage: perfsh [OPTIONS] [FILE [ARGS...] | -c 'CMDS' [ARGS...] | CMD [ARGS...]]
    (see 'perfsh --help')
    """

  /// `perfsh --help`.
  public static func helpText(definitions: [SettingDefinition] = SettingDefinition.all) -> String {
    var text = """
      perfsh \(PerfshVersion.current): a profiling shell for Linux.

      USAGE:
        perfsh [OPTIONS]                    interactive shell (reads stdin line by line when it is not a terminal)
        perfsh [OPTIONS] FILE [ARGS...]     run a script; ARGS are $1, $2, ... ($@ for all)
        perfsh [OPTIONS] -c 'CMDS' [ARGS...] run commands separated by ;
        perfsh [OPTIONS] CMD [ARGS...]      run one shell command (e.g. perfsh help set)

      OPTIONS:
        -k, --keep-going    in scripts, go on after a failing line (still exit 1)
        --no-rc             do not run ~/.perfshrc at start
        --version           print the version
        -h, --help          print this help

      SETTINGS (flags beat PERFSH_* environment variables, which beat the config file):

      """
    for definition in definitions {
      let flag = "  \(definition.flag) VALUE"
      text +=
        flag.padding(toLength: max(22, flag.count + 2), withPad: " ", startingAt: 0)
        + "\(definition.summary) (default \(definition.defaultValue); \(definition.environmentVariable))\n"
    }
    text += """

      FILES:
        $XDG_CONFIG_HOME/perfsh/config   settings as 'name = value' lines (default ~/.config/perfsh/config)
        $XDG_STATE_HOME/perfsh/history   interactive history (default ~/.local/state/perfsh/history)
        ~/.perfshrc                      commands run when the interactive shell starts

      Inside perfsh, 'help' lists the commands.

      """
    return text
  }
}

import ArgumentParser

/// A command of the perfsh language.
///
/// Name, aliases, one-line summary (`abstract`), usage and examples (`discussion`) come
/// from `configuration` (swift-argument-parser), so `help CMD` and flag errors read the
/// same everywhere; `shell` adds the help group and what arguments complete to.
/// To add a command: one file in Sources/Shell/Commands, one line in `BuiltinCommands.all`.
public protocol ShellCommand: ParsableCommand {
  /// Help group and completion kinds.
  static var shell: CommandSpec { get }
  /// Runs the parsed command. Results go to `context.out`, diagnostics to `context.err`;
  /// failures are thrown (the runner prints them once, with the right prefix).
  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus
  /// The command parsed without swift-argument-parser when `arguments` take a common simple
  /// form, else nil (the parser decides, and words its errors). Must equal what the parser
  /// makes of the same words, before `validate()`.
  static func parseCommonForm(_ arguments: [String]) -> Self?
}

extension ShellCommand {
  /// Every form goes through swift-argument-parser.
  public static func parseCommonForm(_ arguments: [String]) -> Self? { nil }
}

/// The shell-specific facts about a command that swift-argument-parser does not hold.
public struct CommandSpec: Sendable {
  /// The heading `help` lists the command under.
  public var group: CommandGroup
  /// What each positional argument completes to; the last entry covers any further ones.
  public var arguments: [ArgumentCompletion]
  /// What an option's value completes to, keyed by its spelling (`--output`).
  public var options: [String: ArgumentCompletion]

  /// Makes a spec.
  public init(group: CommandGroup, arguments: [ArgumentCompletion] = [], options: [String: ArgumentCompletion] = [:]) {
    self.group = group
    self.arguments = arguments
    self.options = options
  }
}

/// The headings of `help`, in the order they are listed.
public enum CommandGroup: String, Sendable, CaseIterable {
  /// Running programs under the profiler.
  case capture = "Capture"
  /// Listing, naming, loading and dropping sessions.
  case sessions = "Sessions"
  /// Asking questions of a profile.
  case analysis = "Analysis"
  /// Writing profiles and reports to files.
  case export = "Export"
  /// The shell itself.
  case shell = "Shell"
}

/// What a command reports besides its output.
public struct CommandStatus: Sendable, Equatable {
  /// The exit status `perfsh CMD …` ends with (a profiled program's status for `run`).
  public var exitStatus: Int32
  /// Whether the shell or script should stop after this command (`quit`).
  public var quits: Bool

  /// Makes a status.
  public init(exitStatus: Int32 = 0, quits: Bool = false) {
    self.exitStatus = exitStatus
    self.quits = quits
  }

  /// Finished normally.
  public static let success = CommandStatus()
}

extension ShellCommand {
  /// The name typed to run the command.
  public static var name: String { configuration.commandName ?? "\(Self.self)".lowercased() }

  /// The other names that run it.
  public static var aliases: [String] { configuration.aliases }

  /// One line for the `help` listing.
  public static var summary: String { configuration.abstract }

  /// Every `-x` / `--xyz` spelling the command accepts, read from its generated help.
  public static var flagNames: [String] {
    var names: Set<String> = ["--help"]
    for line in helpMessage(columns: 10_000).split(separator: "\n") {
      let trimmed = line.drop(while: { $0 == " " })
      guard trimmed.hasPrefix("-") else { continue }
      for piece in trimmed.split(separator: " ").prefix(4) {
        let word = piece.trimmingCharacters(in: ",")
        guard word.hasPrefix("-"), word.count > 1, !word.contains("<") else { break }
        names.insert(String(word.split(separator: "=").first ?? Substring(word)))
        if !piece.hasSuffix(",") { break }
      }
    }
    return names.sorted()
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in characters: String) -> String {
    String(self.drop(while: { characters.contains($0) }).reversed().drop(while: { characters.contains($0) }).reversed())
  }
}

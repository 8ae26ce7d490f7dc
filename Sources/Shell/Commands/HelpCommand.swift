import ArgumentParser

/// `help [CMD]`: lists the commands grouped by purpose, or shows one command's usage,
/// options and examples.
struct HelpCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "help",
    abstract: "List the commands, or show one command's usage and examples.",
    discussion: """
      EXAMPLES:
        help
        help set
      """,
    aliases: ["?"])
  static var shell: CommandSpec { CommandSpec(group: .shell, arguments: [.command]) }

  @Argument(help: "The command to explain.")
  var command: String?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    guard let command else {
      context.out.write(Self.listing(context.registry))
      return .success
    }
    let type = try context.registry.command(named: command)
    context.out.write(Self.details(type, width: context.terminalWidth))
    return .success
  }

  /// Every command under its group heading, name and one-line summary.
  static func listing(_ registry: CommandRegistry) -> String {
    let nameWidth = (registry.commands.map { $0.name.count }.max() ?? 0) + 2
    var text = ""
    for group in CommandGroup.allCases {
      let members = registry.commands.filter { $0.shell.group == group }
      guard !members.isEmpty else { continue }
      text += "\(group.rawValue):\n"
      for command in members {
        let name = command.name == "!" ? "!CMD" : command.name
        text +=
          "  " + name.padding(toLength: max(nameWidth, name.count + 2), withPad: " ", startingAt: 0)
          + command.summary + "\n"
      }
      text += "\n"
    }
    return text + "Type 'help CMD' for a command's usage and examples.\n"
  }

  /// The parser's help for one command, plus its aliases.
  static func details(_ type: any ShellCommand.Type, width: Int) -> String {
    var text = type.helpMessage(columns: width)
    if !text.hasSuffix("\n") { text += "\n" }
    if !type.aliases.isEmpty {
      text += "\nALIASES: " + type.aliases.joined(separator: ", ") + "\n"
    }
    return text
  }
}

/// The commands a shell knows, found by name or alias.
public struct CommandRegistry {
  /// The commands, in registration order.
  public let commands: [any ShellCommand.Type]

  /// Makes a registry; the default is every built-in command.
  public init(_ commands: [any ShellCommand.Type] = BuiltinCommands.all) {
    self.commands = commands
  }

  /// The command with this name or alias.
  public func lookup(_ name: String) -> (any ShellCommand.Type)? {
    commands.first { $0.name == name } ?? commands.first { $0.aliases.contains(name) }
  }

  /// The command with this name or alias, or an error suggesting the closest name.
  public func command(named name: String) throws(ShellError) -> any ShellCommand.Type {
    if let command = lookup(name) { return command }
    throw .unknownCommand(name, suggestion: Suggestion.closest(to: name, in: allNames))
  }

  /// Every name and alias.
  public var allNames: [String] { commands.flatMap { [$0.name] + $0.aliases } }
}

/// The single list of commands perfsh registers. Add a command here after creating
/// its file in this folder.
public enum BuiltinCommands {
  /// Every built-in command, in the order `help` lists them within a group.
  public static var all: [any ShellCommand.Type] {
    [
      HelpCommand.self,
      EchoCommand.self,
      SetCommand.self,
      SourceCommand.self,
      HistoryCommand.self,
      ShellEscapeCommand.self,
      QuitCommand.self,
    ]
  }
}

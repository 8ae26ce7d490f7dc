/// The single list of commands perfsh registers. Add a command here after creating
/// its file in this folder.
public enum BuiltinCommands {
  /// Every built-in command, in the order `help` lists them within a group.
  public static var all: [any ShellCommand.Type] {
    [
      RunCommand.self,
      AttachCommand.self,
      TraceTopCommand.self,
      LoadCommand.self,
      SaveCommand.self,
      OpenCommand.self,
      SessionsCommand.self,
      UseCommand.self,
      InfoCommand.self,
      RenameCommand.self,
      DropCommand.self,
      SummaryCommand.self,
      TopCommand.self,
      LeaksCommand.self,
      PeekCommand.self,
      TreeCommand.self,
      FlameCommand.self,
      ListCommand.self,
      HeatmapCommand.self,
      CompareCommand.self,
      BenchCommand.self,
      AssertCommand.self,
      FocusCommand.self,
      IgnoreCommand.self,
      HideCommand.self,
      TagsCommand.self,
      UnfilterCommand.self,
      ExportCommand.self,
      ServeCommand.self,
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

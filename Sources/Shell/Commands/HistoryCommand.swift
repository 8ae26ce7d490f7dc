import ArgumentParser

/// `history [N]`: lists the lines entered at the prompt (kept across runs).
struct HistoryCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "List the commands entered at the prompt, oldest first.",
    discussion: """
      History is saved in $XDG_STATE_HOME/perfsh/history (default
      ~/.local/state/perfsh/history). Up and Down recall it at the prompt.

      EXAMPLES:
        history
        history 10
      """)
  static var shell: CommandSpec { CommandSpec(group: .shell) }

  @Argument(help: "Show only the last N entries.")
  var count: Int?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let entries = context.history
    let shown = count.map { max(0, entries.count - max($0, 0)) } ?? 0
    let width = String(entries.count).count
    for index in shown..<entries.count {
      let number = String(index + 1)
      context.out.write(String(repeating: " ", count: width - number.count + 2) + number + "  " + entries[index] + "\n")
    }
    return .success
  }
}

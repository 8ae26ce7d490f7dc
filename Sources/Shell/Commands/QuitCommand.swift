import ArgumentParser

/// `quit [STATUS]`: leaves the shell (or ends the script) with STATUS (default 0).
struct QuitCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "quit",
    abstract: "Leave perfsh (Ctrl-D at an empty prompt does the same).",
    discussion: """
      EXAMPLES:
        quit
        exit 3
      """,
    aliases: ["exit"])
  static var shell: CommandSpec { CommandSpec(group: .shell) }

  @Argument(help: "The exit status (0 to 255).")
  var status: Int32 = 0

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    guard (0...255).contains(status) else { throw .badExitStatus(status) }
    context.quitStatus = status
    return CommandStatus(exitStatus: status, quits: true)
  }
}

import ArgumentParser
import Render

/// `sessions`: lists the sessions held in memory; `*` marks the current one.
struct SessionsCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "sessions",
    abstract: "List the sessions in memory; * marks the current one.",
    discussion: """
      EXAMPLES:
        sessions
      """,
    aliases: ["ls"])
  static var shell: CommandSpec { CommandSpec(group: .sessions) }

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let all = context.sessions.sessions
    if all.isEmpty {
      context.out.write("no sessions (use 'run CMD' or 'load FILE')\n")
      return .success
    }
    let current = context.sessions.currentID
    for s in all {
      let mark = s.id == current ? "*" : " "
      context.out.write("\(mark) \(SessionDescription.line(s))\n")
      context.out.write("      \(s.source)\n")
    }
    return .success
  }
}

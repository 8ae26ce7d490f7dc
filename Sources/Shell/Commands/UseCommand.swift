import ArgumentParser

/// `use SESSION`: makes a session the current one.
struct UseCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "use",
    abstract: "Make a session current (by id, name, @last or @prev).",
    discussion: """
      EXAMPLES:
        use 2
        use baseline
        use @prev
      """)
  static var shell: CommandSpec { CommandSpec(group: .sessions, arguments: [.session]) }

  @Argument(help: "Session id, name, @last or @prev.")
  var session: String

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    do {
      let s = try context.sessions.use(session)
      context.out.write("current session: [\(s.id)] \(s.name)\n")
    } catch {
      throw .session(error)
    }
    return .success
  }
}

import ArgumentParser

/// `rename SESSION NAME`: gives a session a new unique name.
struct RenameCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "rename",
    abstract: "Give a session a new name.",
    discussion: """
      Names are unique and cannot be numbers or start with @.

      EXAMPLES:
        rename 1 baseline
        rename @last optimized
      """)
  static var shell: CommandSpec { CommandSpec(group: .sessions, arguments: [.session, .none]) }

  @Argument(help: "Session id, name, @last or @prev.")
  var session: String

  @Argument(help: "The new name.")
  var name: String

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    do {
      let s = try context.sessions.rename(session, to: name)
      context.out.write("renamed [\(s.id)] to \(s.name)\n")
    } catch {
      throw .session(error)
    }
    return .success
  }
}

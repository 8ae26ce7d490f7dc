import ArgumentParser

/// `unfilter`: clears focus, ignore and hide on the current session.
struct UnfilterCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "unfilter",
    abstract: "Clear the focus, ignore and hide filters of the current session.")
  static var shell: CommandSpec { CommandSpec(group: .analysis) }

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let session = try context.session(nil)
    context.sessions.update(session.id) { $0.filters = ViewFilters() }
    context.out.write("no active filters\n")
    return .success
  }
}

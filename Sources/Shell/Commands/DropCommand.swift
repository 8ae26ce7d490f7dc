import ArgumentParser

/// `drop SESSION…`: removes sessions from memory; their ids are never reused.
struct DropCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "drop",
    abstract: "Remove sessions from memory (ids are not reused).",
    discussion: """
      EXAMPLES:
        drop 1
        drop @prev
      """)
  static var shell: CommandSpec { CommandSpec(group: .sessions, arguments: [.session]) }

  @Argument(help: "Session ids, names, @last or @prev.")
  var sessions: [String]

  func validate() throws {
    if sessions.isEmpty { throw ValidationError("name at least one session to drop") }
  }

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    // Resolve all first, so `drop @last @prev` means the sessions as they were.
    var ids: [Int] = []
    for reference in sessions { ids.append(try context.session(reference).id) }
    for id in ids {
      do {
        let s = try context.sessions.drop(String(id))
        context.out.write("dropped [\(s.id)] \(s.name)\n")
      } catch {
        throw .session(error)
      }
    }
    return .success
  }
}

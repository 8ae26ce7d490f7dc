import ArgumentParser
import Formats
import ProfileModel

/// `open FILE`: restores the sessions of a perfsh session file (written by `save`).
struct OpenCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "open",
    abstract: "Open a perfsh session file written by save: its sessions come back as new sessions.",
    discussion: """
      Every session in the file is restored as it was saved (name, source, filters,
      traced statistics, repeats), so every command shows what it showed before saving.
      A file from a newer perfsh, or a damaged one, is an error and no session is created.
      load detects session files too.

      EXAMPLES:
        open baseline.perfsh
      """)
  static var shell: CommandSpec { CommandSpec(group: .sessions, arguments: [.file]) }

  @Argument(help: "The session file.")
  var file: String

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let archived: [ArchivedSession]
    do {
      archived = try SessionArchive.read(path: file)
    } catch {
      throw .sessionFile(error, file: file)
    }
    return Self.restore(archived, in: context)
  }

  /// Adds decoded sessions to the shell, all or (the decoder having checked them) none failing.
  @discardableResult
  static func restore(_ archived: [ArchivedSession], in context: ShellContext) -> CommandStatus {
    for a in archived {
      let source: Session.Source
      switch a.source {
      case .file(let path, let format): source = .file(path: path, format: format)
      case .run(let command): source = .run(command: command)
      }
      var filters = ViewFilters()
      filters.focus = a.focus
      filters.ignore = a.ignore
      filters.hide = a.hide
      let id = context.sessions.add(profile: a.profile, name: a.name, source: source).id
      context.sessions.update(id) { $0.filters = filters }
      if let s = try? context.sessions.resolve(String(id)) { context.out.write(SessionDescription.line(s) + "\n") }
    }
    return .success
  }
}

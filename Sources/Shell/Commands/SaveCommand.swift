import ArgumentParser
import Formats
import ProfileModel

/// `save FILE [SESSION…]`: writes sessions losslessly to a perfsh session file for `open`.
struct SaveCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "save",
    abstract: "Save sessions without loss to a perfsh session file (read back with open or load).",
    discussion: """
      Keeps everything a session holds: samples and stacks, mappings and build ids, the
      run's facts and notes, every repeat of run -n, traced per-call statistics (CPU,
      wall and raw views), allocation facts, the session's name and its focus / ignore /
      hide filters. The file is gzip-compressed and written atomically. With no session
      named, the current one is saved; --all saves every session. Format: docs/session-format.md.

      EXAMPLES:
        save baseline.perfsh
        save both.perfsh 1 2
        save --all today.perfsh
      """)
  static var shell: CommandSpec { CommandSpec(group: .sessions, arguments: [.file, .session]) }

  @Argument(help: "The file to write.")
  var file: String

  @Argument(help: "Sessions to save (ids, names, @last, @prev; default: the current one).")
  var sessions: [String] = []

  @Flag(help: "Save every session.")
  var all = false

  func validate() throws {
    if all && !sessions.isEmpty { throw ValidationError("--all saves every session; name none with it") }
  }

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    var chosen: [Session] = []
    if all {
      chosen = context.sessions.sessions
      if chosen.isEmpty { _ = try context.session(nil) }
    } else if sessions.isEmpty {
      chosen = [try context.session(nil)]
    } else {
      for reference in sessions {
        let s = try context.session(reference)
        if !chosen.contains(where: { $0.id == s.id }) { chosen.append(s) }
      }
    }
    context.flush()
    do {
      try SessionArchive.write(chosen.map(Self.archived), to: file)
    } catch {
      throw .sessionFile(error, file: file)
    }
    let list = chosen.map { "[\($0.id)] \($0.name)" }.joined(separator: ", ")
    context.err.write("saved \(list) to \(file)\n")
    return .success
  }

  /// A shell session as the archive stores it.
  static func archived(_ s: Session) -> ArchivedSession {
    let source: ArchivedSession.Source
    switch s.source {
    case .file(let path, let format): source = .file(path: path, format: format)
    case .run(let command): source = .run(command: command)
    }
    return ArchivedSession(
      name: s.name, source: source, focus: s.filters.focus, ignore: s.filters.ignore, hide: s.filters.hide,
      profile: s.profile)
  }
}

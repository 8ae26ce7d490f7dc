import ArgumentParser
import Formats
import ProfileModel

/// `load FILE [--name NAME]`: reads a pprof profile or folded stacks into a new session.
struct LoadCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "load",
    abstract: "Load a pprof profile (.pb, .pb.gz) or folded stacks into a new session.",
    discussion: """
      The format is detected from the content, not the extension: gzipped or plain
      pprof protobuf (what Go's runtime/pprof and `atmos --profile-file` write), or
      folded stacks (`main;parse;scan 42` per line). A file that is neither, or is
      truncated or corrupt, is an error and no session is created.

      EXAMPLES:
        load cpu.pb.gz
        load stacks.folded --name baseline
      """)
  static var shell: CommandSpec { CommandSpec(group: .sessions, arguments: [.file]) }

  @Argument(help: "The profile file.")
  var file: String

  @Option(name: .long, help: "Name of the new session (default: the file name).")
  var name: String?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let loaded: (profile: ProfileModel.Profile, format: ProfileFormat)
    do {
      loaded = try ProfileLoader.loadDetectingFormat(path: file)
    } catch {
      throw .failed(error.path == nil ? "\(file): \(error.description)" : error.description)
    }
    let base = name ?? String(file.split(separator: "/").last ?? Substring(file))
    context.addSession(loaded.profile, name: base, source: .file(path: file, format: loaded.format.description))
    return .success
  }
}

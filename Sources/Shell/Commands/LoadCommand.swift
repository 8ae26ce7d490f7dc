import ArgumentParser
import Formats
import ProfileModel

/// `load FILE [--name NAME]`: reads a pprof profile or folded stacks into a new session.
struct LoadCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "load",
    abstract: "Load a pprof profile (.pb, .pb.gz), folded stacks or a perfsh session file into new sessions.",
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
      let bytes = try InputFile.read(file)
      // A perfsh session file (`save`) is detected by its magic and opened as `open` would.
      if SessionArchive.hasMagic(bytes) { return OpenCommand.restore(try SessionArchive.decode(bytes), in: context) }
      let fileName = file.split(separator: "/").last.map(String.init) ?? file
      loaded = try ProfileLoader.loadDetectingFormat(bytes: bytes, name: fileName)
    } catch {
      throw .failed(error.path == nil ? "\(file): \(error.description)" : error.description)
    }
    let base = name ?? String(file.split(separator: "/").last ?? Substring(file))
    context.addSession(loaded.profile, name: base, source: .file(path: file, format: loaded.format.description))
    return .success
  }
}

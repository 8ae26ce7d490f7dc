import ArgumentParser
import Formats
import ProfileModel

/// `load FILE [--name NAME]`: reads a pprof profile or folded stacks into a new session.
struct LoadCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "load",
    abstract: "Load a pprof profile (.pb, .pb.gz), folded stacks, Chrome trace JSON or a perfsh session file into new sessions.",
    discussion: """
      The format is detected from the content, not the extension: gzipped or plain
      pprof protobuf (what Go's runtime/pprof and `atmos --profile-file` write),
      folded stacks (`main;parse;scan 42` per line), or Chrome trace-event JSON
      (`{"traceEvents": [...]}` or a bare array, e.g. `clang -ftime-trace` output or
      `export chrome`): X and B/E events nest per thread into a traced session with
      exact Count, self time, Avg, Max and P95 per event name (wall clock), so
      `heatmap table` shows where the time went; events with negative durations or
      unbalanced B/E are left out and counted in a warning. A file that is none of
      these, or is truncated or corrupt, is an error and no session is created.

      EXAMPLES:
        load cpu.pb.gz
        load build/unit.json
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
    // Counted problems of single events (a Chrome trace's unbalanced B/E, negative durations).
    for note in loaded.profile.run.notes where note.hasPrefix("warning: ") {
      context.warn("\(file): " + note.dropFirst("warning: ".count))
    }
    let base = name ?? String(file.split(separator: "/").last ?? Substring(file))
    context.addSession(loaded.profile, name: base, source: .file(path: file, format: loaded.format.description))
    return .success
  }
}

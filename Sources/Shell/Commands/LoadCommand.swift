import ArgumentParser
import Fetch
import Formats
import ProfileModel

/// `load FILE|URL [--name NAME]`: reads a pprof profile or folded stacks into a new session; an
/// `http://` URL (a Go `net/http/pprof` endpoint) is fetched and must give pprof.
struct LoadCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "load",
    abstract:
      "Load a pprof profile (.pb, .pb.gz), folded stacks, Chrome trace JSON or a perfsh session file into new sessions.",
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

      An http:// URL is fetched (HTTP/1.1, redirects followed on the same host)
      and must give pprof: Go's net/http/pprof endpoints profile?seconds=N, heap,
      allocs, goroutine, block, mutex and threadcreate. Their sample types stay
      (top --sample-index inuse_space, alloc_objects, contentions, delay…).
      A timed profile waits N seconds plus 10 before giving up (--timeout changes
      that; Ctrl-C stops waiting). https is not supported: fetch with curl and
      load the file.

      EXAMPLES:
        load cpu.pb.gz
        load build/unit.json
        load stacks.folded --name baseline
        load http://127.0.0.1:6060/debug/pprof/profile?seconds=5
        load http://127.0.0.1:6060/debug/pprof/heap --save heap.pb.gz
      """)
  static var shell: CommandSpec { CommandSpec(group: .sessions, arguments: [.file], options: ["--save": .file]) }

  @Argument(help: "The profile file, or an http:// URL serving pprof.")
  var file: String

  @Option(name: .long, help: "Name of the new session (default: the file name, or the URL's last path component).")
  var name: String?

  @Option(
    help: "For a URL: give up when no byte arrives for this long (default: the profile's seconds + 10s, else 10s).")
  var timeout: String?

  @Option(help: "For a URL: also write the fetched bytes, unchanged, to this file.")
  var save: String?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    if HTTPURL.looksLikeURL(file) { return try loadURL(in: context) }
    if timeout != nil || save != nil {
      throw .command(.onlyForURLs(command: "load", options: "--timeout and --save"))
    }
    let loaded: (profile: ProfileModel.Profile, format: ProfileFormat)
    do {
      var bytes = try InputFile.read(file)
      // A perfsh session file (`save`) is detected by its magic and opened as `open` would.
      if SessionArchive.hasMagic(bytes) { return OpenCommand.restore(try SessionArchive.decode(bytes), in: context) }
      let fileName = file.split(separator: "/").last.map(String.init) ?? file
      // The file's bytes go as soon as they are inflated: a Go profile's are a third of its size
      // inflated, and they would otherwise be held through the decode's peak.
      loaded = try ProfileLoader.loadDetectingFormat(releasing: &bytes, name: fileName)
    } catch {
      throw .sessionFile(error, file: file)
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

extension LoadCommand {
  /// `load http://…`: fetch, decode as pprof, keep the session (and the bytes with --save).
  private func loadURL(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let url = try PprofEndpoint.parse(file)
    let limit = try timeout.map { text throws(ShellError) in try DurationText.parse(text, option: "--timeout") }
    context.flush()
    let fetched = try InterruptWatch.during { (interrupted) throws(ShellError) in
      try PprofEndpoint.fetch(url, timeout: limit, cancelled: interrupted) { line in context.warn(line) }
    }
    if let save {
      do {
        try AtomicFile.write(fetched.bytes, to: save)
      } catch {
        throw .sessionFile(error, file: save)
      }
    }
    context.addSession(
      fetched.profile, name: name ?? PprofEndpoint.sessionName(url),
      source: .file(path: url.description, format: fetched.format.description))
    return .success
  }
}

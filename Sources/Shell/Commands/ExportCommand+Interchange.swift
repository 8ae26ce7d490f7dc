import Formats
import ProfileModel

/// The interchange cases of `export`: speedscope (every session) and Chrome trace JSON
/// (sessions that kept single calls: `run --trace`, or a loaded Chrome trace).
enum InterchangeExport {
  /// Calls `export chrome` writes unless `--max-events` says otherwise.
  static let defaultMaxEvents = 1_000_000

  /// Writes `s` as a speedscope file.
  static func speedscope(_ s: Session, to file: String, context: ShellContext) throws(ShellError) {
    let written = SpeedscopeWriter.write(s.profile, name: s.name, exporter: "perfsh \(PerfshVersion.current)")
    guard written.summary.sampledProfiles + written.summary.eventedProfiles > 0 else {
      throw .command(
        .nothingToWrite(
          file: file, session: s.id, reason: "has no samples with a non-zero value and no traced calls: nothing written"
        ))
    }
    try write(written.text, to: file)
  }

  /// Writes `s`'s kept calls as Chrome trace JSON, at most `maxEvents` of them.
  static func chrome(_ s: Session, to file: String, maxEvents: Int, context: ShellContext) throws(ShellError) {
    guard maxEvents >= 1 else {
      throw .command(.optionOutOfRange(command: "export", option: "--max-events", expected: "at least 1", value: nil))
    }
    let process = s.profile.run.command?.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? s.name
    guard let written = ChromeTraceWriter.write(s.profile, maxEvents: maxEvents, processName: process) else {
      let why =
        s.profile.callStatistics.isEmpty
        ? "it was not traced (export chrome needs `run --trace PATTERN` or a loaded Chrome trace)"
        : "its traced calls have no return probes (entry-only tracing times no calls)"
      throw .command(.nothingToWrite(file: file, session: s.id, reason: "has no single calls to write: \(why)"))
    }
    try write(written.text, to: file)
    let summary = written.summary
    if summary.omitted > 0 {
      context.warn(
        "export: wrote the first \(summary.written) of \(summary.written + summary.omitted) calls "
          + "(--max-events \(maxEvents)); raise --max-events to write the other \(summary.omitted)")
    }
    if summary.notKept > 0 {
      context.warn(
        "export: the session kept \(summary.written + summary.omitted) calls one by one and only counted "
          + "\(summary.notKept) more (the first \(CallEventLog.defaultCapacity) are kept); their statistics are complete"
      )
    }
  }

  private static func write(_ text: String, to file: String) throws(ShellError) {
    do {
      try AtomicFile.write(text, to: file)
    } catch {
      throw .sessionFile(error, file: file)
    }
  }
}

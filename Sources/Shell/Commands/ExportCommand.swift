import Analysis
import ArgumentParser
import Formats
import ProfileModel
import Render

/// `export FORMAT FILE [SESSION]`: writes a session as pprof, folded stacks, or the heatmap
/// table as CSV / JSON.
struct ExportCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract:
      "Write a session to a file: pprof, folded stacks, speedscope, Chrome trace JSON, the heatmap as csv/json, or an interactive svg flame graph.",
    discussion: """
      The whole session is written (view filters do not apply). A file is never left
      half-written: data goes to a temporary file that is renamed over FILE at the end,
      keeping the replaced file's mode and owner. A symlink's target is replaced (the link
      stays). A character device such as /dev/null is written through, and so is
      /dev/stdout (after what perfsh printed before); a FIFO only when a reader is already
      waiting. Directories, block devices and sockets are refused.
      csv and json hold the heatmap table with raw numbers (nanoseconds, counts) for
      CI pipelines; for a sampled session count is samples and avg/max/p95 are empty.
      Traced times are CPU time per call with the probe cost taken out; --clock wall and
      --raw choose the other views for pprof (its self/nanoseconds column), csv and json.
      svg writes a self-contained interactive flame graph (hover, click to zoom, search;
      focus/ignore/hide apply, see docs/flame-graphs.md); --sort weight orders siblings by
      weight; --diff A B FILE colours B's shape by change from A; --heatmap draws the
      heatmap's bar view instead.
      speedscope writes speedscope's JSON (one sampled profile per thread, weights in
      the session's unit; traced calls also as evented profiles) for speedscope.app.
      chrome writes the single calls `run --trace` kept (the first 1,048,576; times
      raw, wall clock, CPU time in args) as Chrome trace-event JSON for Perfetto and
      chrome://tracing, at most --max-events of them (the earliest), saying so when
      there are more.

      EXAMPLES:
        export pprof cpu.pb.gz
        export folded stacks.txt @prev
        export csv heatmap.csv
        export csv --clock wall wall.csv
        export svg flame.svg
        export svg --diff 1 2 diff.svg
        export svg --heatmap heatmap.svg
        export speedscope app.speedscope.json
        export chrome --max-events 100000 trace.json
      """)
  static var shell: CommandSpec {
    CommandSpec(
      group: .export, arguments: [.choices(ExportFormat.allCases.map(\.rawValue)), .file, .session],
      options: ["--clock": .choices(CallClock.allCases.map(\.rawValue)), "--max-events": .none])
  }

  @Argument(help: "pprof, folded, speedscope, chrome, csv, json or svg.")
  var format: ExportFormat

  @Argument(help: "The file to write.")
  var file: String

  @Argument(help: "Session (default: the current one).")
  var session: String?

  @Option(help: "Traced sessions: self times in cpu (default) or wall time.")
  var clock: CallClock = .cpu

  @Flag(help: "Traced sessions: times without the probe cost taken out.")
  var raw = false

  @Flag(help: "svg: a differential flame graph; the words after svg are A B FILE.")
  var diff = false

  @Flag(help: "svg: the heatmap's bar view instead of the flame graph.")
  var heatmap = false

  @Option(help: "svg: order siblings by name (default) or weight.")
  var sort: FlameSort = .name

  @Argument(help: "svg --diff: the file, after sessions A and B.")
  var diffFile: String?
  @Option(help: "chrome: most calls to write, the earliest first (default \(InterchangeExport.defaultMaxEvents)).")
  var maxEvents: Int = InterchangeExport.defaultMaxEvents

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    if format == .svg {
      guard maxEvents == InterchangeExport.defaultMaxEvents else {
        throw .command(.optionsDoNotApply(command: "export", options: "--max-events", scope: "chrome only"))
      }
      return try exportSVG(in: context)
    }
    if diff || heatmap || sort != .name || diffFile != nil {
      throw .command(.optionsDoNotApply(command: "export", options: "--diff, --heatmap and --sort", scope: "svg"))
    }
    let s = try context.session(session)
    if format == .folded, clock != .cpu || raw {
      throw .command(
        .optionsDoNotApply(
          command: "export", options: "--clock and --raw",
          scope: "pprof, csv and json (folded stacks hold samples only)"))
    }
    if format == .speedscope || format == .chrome, clock != .cpu || raw {
      throw .command(
        .optionsDoNotApply(
          command: "export", options: "--clock and --raw",
          scope: "pprof, csv and json (\(format.rawValue) writes samples and raw single calls)"))
    }
    if format != .chrome, maxEvents != InterchangeExport.defaultMaxEvents {
      throw .command(.optionsDoNotApply(command: "export", options: "--max-events", scope: "chrome only"))
    }
    // What perfsh printed so far goes out first, in case FILE is /dev/stdout.
    context.flush()
    do {
      switch format {
      case .pprof:
        try AtomicFile.write(
          try PprofEncoder.encode(MainMappingFirst.reorder(TraceRun.viewed(s.profile, clock: clock, raw: raw))),
          to: file)
      case .folded:
        let text = FoldedStacksWriter.write(s.profile)
        // An empty folded file is not a profile `load` accepts: say so instead of writing one.
        guard !text.isEmpty else {
          throw ShellError.command(
            .nothingToWrite(
              file: file, session: s.id,
              reason: "has no stacks with a non-zero count, and folded stacks cannot "
                + "hold an empty profile: nothing written (export pprof keeps it)"))
        }
        // Folded stacks hold sample counts, and load rejects negative ones: a difference
        // profile has no folded form.
        if let line = Self.firstNegativeCountLine(text) {
          throw ShellError.command(
            .nothingToWrite(
              file: file, session: s.id,
              reason: "has stacks with negative totals (a difference profile; line \(line) "
                + "would be negative), and folded stacks hold sample counts: nothing written (export pprof keeps it)"))
        }
        try AtomicFile.write(text, to: file)
      case .speedscope:
        try InterchangeExport.speedscope(s, to: file, context: context)
      case .chrome:
        try InterchangeExport.chrome(s, to: file, maxEvents: maxEvents, context: context)
      case .csv, .json:
        let heatmap = try context.analyze { () throws(AnalysisError) in
          try Heatmap(profile: s.profile, clock: clock, raw: raw)
        }
        let text = format == .csv ? HeatmapExport.csv(heatmap) : HeatmapExport.json(heatmap, facts: s.summaryFacts)
        try AtomicFile.write(text, to: file)
      case .svg:
        break  // written by exportSVG, before this switch
      }
    } catch let error as ShellError {
      throw error
    } catch let error as FormatError {
      throw .sessionFile(error, file: file)
    } catch {
      throw .command(.writeFailed(file: file, reason: "\(error)"))
    }
    context.err.write("wrote \(file) (\(format.rawValue), session [\(s.id)] \(s.name))\n")
    return .success
  }
}

extension ExportCommand {
  /// The 1-based number of the first folded line whose count (the last field) is negative.
  static func firstNegativeCountLine(_ folded: String) -> Int? {
    var number = 0
    for line in folded.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      number += 1
      if let space = line.lastIndex(of: UInt8(ascii: " ")), line[line.index(after: space)...].first == UInt8(ascii: "-")
      {
        return number
      }
    }
    return nil
  }
}

/// The formats `export` writes.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
  case pprof, folded, csv, json
  case svg
  // Interchange formats (ExportCommand+Interchange.swift).
  case speedscope, chrome
}

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
    abstract: "Write a session to a file: pprof (gzipped protobuf), folded stacks, or the heatmap as csv/json.",
    discussion: """
      The whole session is written (view filters do not apply). A file is never left
      half-written: data goes to a temporary file that is renamed over FILE at the end,
      keeping the replaced file's mode and owner. A symlink's target is replaced (the link
      stays). A character device such as /dev/null is written through, and so is
      /dev/stdout (after what perfsh printed before); a FIFO only when a reader is already
      waiting. Directories, block devices and sockets are refused.
      csv and json hold the heatmap table with raw numbers (nanoseconds, counts) for
      CI pipelines; for a sampled session count is samples and avg/max/p95 are empty.

      EXAMPLES:
        export pprof cpu.pb.gz
        export folded stacks.txt @prev
        export csv heatmap.csv
      """)
  static var shell: CommandSpec {
    CommandSpec(group: .export, arguments: [.choices(ExportFormat.allCases.map(\.rawValue)), .file, .session])
  }

  @Argument(help: "pprof, folded, csv or json.")
  var format: ExportFormat

  @Argument(help: "The file to write.")
  var file: String

  @Argument(help: "Session (default: the current one).")
  var session: String?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let s = try context.session(session)
    // What perfsh printed so far goes out first, in case FILE is /dev/stdout.
    context.flush()
    do {
      switch format {
      case .pprof:
        try AtomicFile.write(try PprofEncoder.encode(MainMappingFirst.reorder(s.profile)), to: file)
      case .folded:
        try AtomicFile.write(FoldedStacksWriter.write(s.profile), to: file)
      case .csv, .json:
        let heatmap = try context.analyze { () throws(AnalysisError) in try Heatmap(profile: s.profile) }
        let text = format == .csv ? HeatmapExport.csv(heatmap) : HeatmapExport.json(heatmap, facts: s.summaryFacts)
        try AtomicFile.write(text, to: file)
      }
    } catch let error as ShellError {
      throw error
    } catch let error as FormatError {
      throw .failed(error.path == nil ? "\(file): \(error.description)" : error.description)
    } catch {
      throw .failed("\(file): \(error)")
    }
    context.err.write("wrote \(file) (\(format.rawValue), session [\(s.id)] \(s.name))\n")
    return .success
  }
}

/// The formats `export` writes.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
  case pprof, folded, csv, json
}

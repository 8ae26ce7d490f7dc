import Analysis
import Formats
import ProfileModel
import Render

extension ExportCommand {
  /// `export svg FILE [SESSION]`, `export svg --diff A B FILE`, `export svg --heatmap FILE [SESSION]`.
  func exportSVG(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let target: String
    let text: String
    let described: String
    if diff {
      guard let diffFile, let b = session else {
        throw .badArguments(
          command: "export", message: "export svg --diff needs two sessions and a file: export svg --diff A B FILE")
      }
      if heatmap {
        throw .command(
          .exclusiveOptions(command: "export svg", first: "--diff", second: "--heatmap", wording: .doNotGoTogether))
      }
      let sa = try context.session(file)
      let sb = try context.session(b)
      let report = try defaultReport()
      let graphs = try FlameCommand.graphs(
        a: sa, b: sb, pattern: nil, depth: nil, clock: nil, sort: sort, report: report, context: context)
      target = diffFile
      let title = "Differential flame graph: [\(sa.id)] \(sa.name) → [\(sb.id)] \(sb.name)"
      text = SVGFlameGraph.render(graphs.b, options: SVGFlameOptions(title: title, diff: graphs.diff))
      described = "svg, diff [\(sa.id)] → [\(sb.id)]"
    } else {
      if let diffFile { throw .badArguments(command: "export", message: "export: unexpected argument '\(diffFile)'") }
      let s = try context.session(session)
      target = file
      if heatmap {
        let filter = try context.filter(of: s)
        let map = try context.analyze { () throws(AnalysisError) in
          try Heatmap(profile: s.profile, filter: filter, clock: clock, raw: raw)
        }
        text = SVGHeatmap.render(map, facts: s.summaryFacts, title: "Performance Heatmap - [\(s.id)] \(s.name)")
        described = "svg heatmap, session [\(s.id)] \(s.name)"
      } else {
        let report = try defaultReport()
        // --clock wall draws the wall column of a session recorded with run --off-cpu.
        let graphs = try FlameCommand.graphs(
          a: nil, b: s, pattern: nil, depth: nil, clock: clock == .wall ? .wall : nil, sort: sort, report: report,
          context: context)
        text = SVGFlameGraph.render(graphs.b, options: SVGFlameOptions(title: "Flame graph: [\(s.id)] \(s.name)"))
        described = "svg, session [\(s.id)] \(s.name)"
      }
    }
    context.flush()
    do {
      try AtomicFile.write(text, to: target)
    } catch {
      throw .sessionFile(error, file: target)
    }
    context.err.write("wrote \(target) (\(described))\n")
    return .success
  }

  /// The analysis flags at their defaults (export has none of its own).
  private func defaultReport() throws(ShellError) -> ReportOptions {
    do {
      return try ReportOptions.parse([])
    } catch {
      throw .command(.defaultOptions(command: "export svg", reason: "\(error)"))
    }
  }
}

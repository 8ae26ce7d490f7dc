import Analysis
import ArgumentParser
import Render

/// `top [N] [--cum] …`: pprof's flat/cum table of the heaviest functions (or lines, files).
struct TopCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "top",
    abstract: "Show the heaviest functions with pprof's flat, flat%, sum%, cum, cum% columns.",
    discussion: """
      flat is the value of samples whose innermost frame is the function; cum adds its
      callees, counted once per sample even through recursion. Rows whose cum is at most
      0.5% of the total are dropped, as pprof does. Focus/ignore/hide filters apply.

      EXAMPLES:
        top
        top 20 --cum
        top --lines 2
        top --sample-index samples @prev
      """,
    aliases: ["text"])
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.session]) }

  @Argument(help: "Rows to show (default 10) and/or a session.")
  var words: [String] = []

  @Flag(help: "Sort by cumulative value.")
  var cum = false

  @OptionGroup var report: ReportOptions

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let args = try CountAndSession(words, command: "top")
    let session = try context.session(args.session)
    let graph = try report.graphOptions(for: session, in: context)
    let count = args.count ?? context.settings.nodeCount
    let top = try context.analyze { () throws(AnalysisError) in
      try TopReport(profile: session.profile, options: TopOptions(graph: graph, nodeCount: count == 0 ? nil : count, sortByCum: cum))
    }
    var out = context.out
    TopRenderer.write(top, to: &out, options: RenderOptions(color: context.useColor))
    return .success
  }
}

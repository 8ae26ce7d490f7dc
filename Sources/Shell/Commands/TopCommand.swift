import Analysis
import ArgumentParser
import ProfileModel
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
        top --sort p95            (traced sessions: exact calls, avg, max, p95)
        top --clock wall          (traced sessions: wall time per call instead of CPU time)
      """,
    aliases: ["text"])
  static var shell: CommandSpec {
    CommandSpec(
      group: .analysis, arguments: [.session], options: ["--clock": .choices(CallClock.allCases.map(\.rawValue))])
  }

  @Argument(help: "Rows to show (default 10) and/or a session.")
  var words: [String] = []

  @Flag(help: "Sort by cumulative value.")
  var cum = false

  @Option(help: "For traced sessions: the exact per-call table sorted by calls, avg, max, p95 or cpu.")
  var sort: HeatmapSort?

  @Option(help: "For traced sessions: the per-call table in cpu (default) or wall time.")
  var clock: CallClock?

  @Flag(help: "For traced sessions: times without the probe cost taken out.")
  var raw = false

  @OptionGroup var report: ReportOptions

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let args = try CountAndSession(words, command: "top")
    let session = try context.session(args.session)
    if sort != nil || clock != nil || raw {
      return try tracedTop(session, sort: sort ?? .cpu, count: args.count, in: context)
    }
    let graph = try report.graphOptions(for: session, in: context)
    let count = args.count ?? context.settings.nodeCount
    let profile = try report.view.profile(of: session, in: context)
    let top = try context.analyze { () throws(AnalysisError) in
      try TopReport(
        profile: profile, options: TopOptions(graph: graph, nodeCount: count == 0 ? nil : count, sortByCum: cum))
    }
    var out = context.out
    TopRenderer.write(top, to: &out, options: RenderOptions(color: context.useColor))
    return .success
  }

  /// `top --sort calls|avg|max|p95`: the exact numbers of traced functions, as the heatmap
  /// table shows them; a sampled session has none, and says how to get them.
  private func tracedTop(_ session: Session, sort: HeatmapSort, count: Int?, in context: ShellContext)
    throws(ShellError) -> CommandStatus
  {
    guard !session.profile.callStatistics.isEmpty else {
      let flag = clock.map { "--clock \($0.rawValue)" } ?? (raw ? "--raw" : "--sort \(sort.rawValue)")
      throw .command(.needsExactCalls(command: "top", flag: flag, session: session.id))
    }
    let filter = try context.filter(of: session)
    let heatmap = try context.analyze { () throws(AnalysisError) in
      try Heatmap(profile: session.profile, sort: sort, filter: filter, clock: clock ?? .cpu, raw: raw)
    }
    let n = count ?? context.settings.nodeCount
    let rows = n == 0 ? heatmap.rows : Array(heatmap.rows.prefix(n))
    let what = (heatmap.perGoroutine ? "the goroutine's " : "") + (heatmap.clock == .wall ? "wall time" : "CPU time")
    let cost =
      heatmap.probeCostNanos > 0
      ? ", probe cost \(DurationFormat.string(nanoseconds: heatmap.probeCostNanos))/call subtracted"
      : (raw ? ", raw" : "")
    let times = heatmap.hasBothClocks || raw || heatmap.probeCostNanos > 0 ? "; times are \(what) per call\(cost)" : ""
    context.out.write(
      "Traced functions by \(sort.rawValue) (exact per-call numbers; CPU Time is the sum of self time\(times))\n")
    for line in HeatmapRenderer.rows(heatmap, rows: rows, mode: .table, options: context.renderOptions) {
      context.out.write(line + "\n")
    }
    return .success
  }
}

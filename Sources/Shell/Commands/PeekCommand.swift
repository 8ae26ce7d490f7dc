import Analysis
import ArgumentParser
import Render

/// `peek REGEX`: callers and callees of matching functions, as pprof's `peek`.
struct PeekCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "peek",
    abstract: "Show the callers and callees of functions matching a regular expression.",
    discussion: """
      EXAMPLES:
        peek 'parse.*'
        peek ^main$ --lines
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.function, .session]) }

  @Argument(help: "Regular expression over function names.")
  var pattern: String

  @Argument(help: "Session (default: the current one).")
  var session: String?

  @Flag(help: "Sort by cumulative value.")
  var cum = false

  @OptionGroup var report: ReportOptions

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let s = try context.session(session)
    let graph = try report.graphOptions(for: s, in: context)
    let profile = try report.view.profile(of: s, in: context)
    let peek = try context.analyze { () throws(AnalysisError) in
      try PeekReport(profile: profile, matching: NameMatcher(pattern, option: "peek"), options: graph, sortByCum: cum)
    }
    var out = context.out
    PeekRenderer.write(peek, to: &out, options: RenderOptions(color: context.useColor))
    return .success
  }
}

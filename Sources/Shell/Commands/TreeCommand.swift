import Analysis
import ArgumentParser
import Render

/// `tree [--depth N] [REGEX]`: the call tree with cum and cum%, children by weight.
struct TreeCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "tree",
    abstract: "Show the call tree from the roots (or from functions matching REGEX) with cum and cum%.",
    discussion: """
      Children are sorted by weight; nodes below 0.5% of the total are hidden and counted.

      EXAMPLES:
        tree
        tree --depth 4
        tree '^parse'
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.function, .session]) }

  @Argument(help: "Root the tree at functions matching this regular expression.")
  var pattern: String?

  @Argument(help: "Session (default: the current one).")
  var session: String?

  @Option(help: "Show at most this many levels.")
  var depth: Int?

  @OptionGroup var report: ReportOptions

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let s = try context.session(session)
    let graph = try report.graphOptions(for: s, in: context)
    let profile = try report.view.profile(of: s, in: context)
    let tree = try context.analyze { () throws(AnalysisError) in
      let root = try pattern.map { p throws(AnalysisError) in try NameMatcher(p, option: "tree") }
      return try CallTree(profile: profile, options: CallTreeOptions(graph: graph, maxDepth: depth, root: root))
    }
    var out = context.out
    CallTreeRenderer.write(tree, to: &out, options: RenderOptions(color: context.useColor))
    return .success
  }
}

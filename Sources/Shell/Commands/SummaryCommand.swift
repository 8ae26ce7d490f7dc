import ArgumentParser
import Render

/// `summary [SESSION]`: the `=== perfsh Performance Summary ===` block.
struct SummaryCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "summary",
    abstract: "Print the performance summary of a session (command, exit, elapsed, CPU, parallelism, counts).",
    discussion: """
      Lines a session does not know (e.g. Elapsed for a loaded pprof file) are left out.

      EXAMPLES:
        summary
        summary @prev
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.session]) }

  @Argument(help: "Session (default: the current one).")
  var session: String?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let s = try context.session(session)
    var out = context.out
    SummaryRenderer.write(s.summaryFacts, to: &out)
    return .success
  }
}

import ArgumentParser
import Render

/// `summary [SESSION]`: the `=== perfsh Performance Summary ===` block.
struct SummaryCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "summary",
    abstract: "Print the performance summary of a session (command, exit, elapsed, CPU, parallelism, counts).",
    discussion: """
      Lines a session does not know (e.g. Elapsed for a loaded pprof file) are left out.
      For a session captured with run -n N, Elapsed and CPU Time are means per run, and
      a Runs block adds each metric's 95% confidence interval, median, range and spread.

      EXAMPLES:
        summary
        summary @prev
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.session]) }

  @Argument(help: "Session (default: the current one).")
  var session: String?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let s = try context.session(session)
    var facts = s.summaryFacts
    let repeats = s.profile.repeats
    if repeats.count > 1 {
      let elapsed = repeats.compactMap(\.elapsedNanos)
      let cpu = repeats.compactMap(\.cpuNanos)
      if elapsed.count == repeats.count {
        facts.repeats.append(SummaryRepeatMetric(name: "Elapsed", nanoseconds: elapsed))
      }
      if cpu.count == repeats.count { facts.repeats.append(SummaryRepeatMetric(name: "CPU Time", nanoseconds: cpu)) }
    }
    var out = context.out
    SummaryRenderer.write(facts, to: &out)
    for line in s.memorySummaryLines { out.write(line + "\n") }
    for line in s.waitingSummaryLines { out.write(line + "\n") }
    return .success
  }
}

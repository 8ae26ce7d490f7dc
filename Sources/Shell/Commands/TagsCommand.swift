import Analysis
import ArgumentParser
import Render

/// `tags [SESSION]`: pprof's `-tags` report, each label (pid, tid, thread) with the share of
/// the value carried by each of its values.
struct TagsCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "tags",
    abstract: "Show sample labels (pid, tid, thread) and how much of the value each carries.",
    discussion: """
      As pprof's -tags. --tagfocus / --tagignore narrow the samples first, as on top,
      peek, tree, list and heatmap.

      EXAMPLES:
        tags
        tags --tagfocus thread=worker
        top --tagfocus pid=4242
        top --tagignore 'thread=gc|finalizer'
        tree --tagroot pid,thread --depth 3
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.session]) }

  @Argument(help: "Session (default: the current one).")
  var session: String?

  @Option(name: .customLong("sample-index"), help: "Value column by name (cpu, samples, …) or number.")
  var sampleIndex: String?

  @OptionGroup var view: ViewOptions

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let s = try context.session(session)
    let profile = try view.profile(of: s, in: context)
    let report = try context.analyze { () throws(AnalysisError) in
      try TagReport(profile: profile, valueIndex: try profile.valueIndex(for: sampleIndex))
    }
    let column = try context.analyze { () throws(AnalysisError) in try profile.valueIndex(for: sampleIndex) }
    let unit = profile.sampleTypes[column].unit
    if report.keys.isEmpty {
      context.out.write("no sample labels in session [\(s.id)] \(s.name)\n")
      return .success
    }
    for key in report.keys {
      context.out.write(" \(key.name): Total \(PprofUnits.scaledLabel(key.total, from: unit, to: "minimum"))\n")
      let width = key.values.map { PprofUnits.scaledLabel($0.weight, from: unit, to: "minimum").count }.max() ?? 0
      for v in key.values {
        let amount = PprofUnits.scaledLabel(v.weight, from: unit, to: "minimum")
        let percent = PprofUnits.percentage(v.weight, of: key.total)
        context.out.write(
          "   \(String(repeating: " ", count: width - amount.count))\(amount) (\(percent)): \(v.value)\n")
      }
      context.out.write("\n")
    }
    return .success
  }
}

import Analysis
import ArgumentParser
import ProfileModel
import Render

/// `info [SESSION]`: where a session came from and what it holds.
struct InfoCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Show a session's source, sample types, counts, run facts, mappings and filters.",
    discussion: """
      EXAMPLES:
        info
        info @prev
      """)
  static var shell: CommandSpec { CommandSpec(group: .sessions, arguments: [.session]) }

  @Argument(help: "Session (default: the current one).")
  var session: String?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let s = try context.session(session)
    for line in InfoLines.lines(for: s, filter: try context.filter(of: s)) { context.out.write(line + "\n") }
    return .success
  }
}

/// The text of `info`, kept apart from the command so it reads as one list.
enum InfoLines {
  static func lines(for s: Session, filter: ProfileFilter) -> [String] {
    let p = s.profile
    var lines = ["Session:     [\(s.id)] \(s.name)", "Source:      \(s.source)"]
    lines.append(
      "Sample types: "
        + p.sampleTypes.enumerated().map { i, t in
          "\(t)" + (i == p.defaultValueIndex ? " (default)" : "")
        }.joined(separator: ", "))
    for (i, t) in p.sampleTypes.enumerated() {
      let total = p.total(column: i)
      let text = t.unit == "nanoseconds" ? DurationFormat.string(nanoseconds: total) : CountFormat.grouped(total)
      lines.append("  total \(t.type): \(text)")
    }
    if let pt = p.periodType, p.period > 0 {
      let period = pt.unit == "nanoseconds" ? DurationFormat.string(nanoseconds: p.period) : "\(p.period) \(pt.unit)"
      lines.append("Period:      \(period) of \(pt.type)")
    }
    if p.durationNanos > 0 { lines.append("Duration:    \(DurationFormat.string(nanoseconds: p.durationNanos))") }
    let run = p.run
    if let c = run.command { lines.append("Command:     \(c.map(shellQuoted).joined(separator: " "))") }
    if let t = run.termination { lines.append("Exit:        \(t)") }
    if let e = run.elapsedNanos { lines.append("Elapsed:     \(DurationFormat.string(nanoseconds: e))") }
    if let c = run.cpuNanos { lines.append("CPU time:    \(DurationFormat.string(nanoseconds: c))") }
    if run.command != nil {
      lines.append(
        "Lost records: \(run.lostRecords)"
          + (run.lostRecords > 0 ? " (ring buffer overflow: raise the buffer or lower -F)" : ""))
    }
    if run.unparsedRecords > 0 {
      lines.append(
        "Unparsed records: \(run.unparsedRecords) (records perfsh could not read; their samples are missing)")
    }
    if run.interrupted { lines.append("Interrupted: yes (the session holds what was captured until then)") }
    lines.append(
      "Counts:      \(CountFormat.grouped(Int64(p.samples.count))) sample records, "
        + "\(CountFormat.grouped(Int64(p.stacks.count - 1))) stack nodes, "
        + "\(CountFormat.grouped(Int64(p.locations.count))) locations, "
        + functionCounts(p))
    if !p.callStatistics.isEmpty {
      let calls = p.callStatistics.values.reduce(Int64(0)) { $0.addingSaturating($1.calls) }
      let unmatched = p.callStatistics.values.reduce(Int64(0)) { $0 + $1.unmatchedEntries }
      lines.append(
        "Traced:      \(p.callStatistics.count) functions, \(CountFormat.grouped(calls)) calls, \(unmatched) unmatched entries"
      )
    }
    if !p.mappings.isEmpty {
      lines.append("Mappings:")
      for m in p.mappings.prefix(40) {
        let flags = [
          m.hasFunctions ? "functions" : nil, m.hasLineNumbers ? "lines" : nil, m.hasInlineFrames ? "inlines" : nil,
        ]
        .compactMap { $0 }.joined(separator: ",")
        let build = m.buildID == .empty ? "" : "  build-id \(p.strings[m.buildID])"
        lines.append(
          "  0x\(String(m.start, radix: 16))-0x\(String(m.limit, radix: 16))  \(p.strings[m.filename])\(build)\(flags.isEmpty ? "" : "  [\(flags)]")"
        )
      }
      if p.mappings.count > 40 { lines.append("  … and \(p.mappings.count - 40) more") }
    }
    for note in run.notes { lines.append("Note:        \(note)") }
    if !p.comments.isEmpty { for c in p.comments { lines.append("Comment:     \(c)") } }
    lines.append(contentsOf: filter.descriptionLines.isEmpty ? ["Filters:     none"] : filter.descriptionLines)
    return lines
  }
}

/// The function table's size, and the number of distinct names (what `summary` and the
/// session line call functions) when the table repeats a name.
private func functionCounts(_ p: Profile) -> String {
  let records = p.functions.count
  let names = p.functionNameCount
  if records == names { return "\(CountFormat.grouped(records)) functions" }
  return "\(CountFormat.grouped(records)) function records (\(CountFormat.grouped(names)) distinct names)"
}

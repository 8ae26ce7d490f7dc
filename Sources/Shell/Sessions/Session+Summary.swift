import Analysis
import ProfileModel
import Render

extension Session {
  /// The facts the summary block and heatmap legend show for this session.
  public var summaryFacts: SummaryFacts {
    let p = profile
    var facts = SummaryFacts()
    if let command = p.run.command { facts.command = command.map(shellQuoted).joined(separator: " ") }
    if let t = p.run.termination { facts.exit = p.run.interrupted ? "\(t) (interrupted)" : "\(t)" }
    facts.elapsedNanos = p.run.elapsedNanos
    facts.cpuNanos = p.run.cpuNanos ?? Heatmap.timeColumn(of: p).map { p.total(column: $0) }
    facts.functions = p.functionNameCount
    if !p.callStatistics.isEmpty { facts.tracedFunctions = p.callStatistics.count }
    facts.totalCalls = SessionDescription.totalCalls(p)
    facts.samples = SessionDescription.sampleCount(p)
    if p.run.command != nil { facts.lost = p.run.lostRecords }
    return facts
  }
}

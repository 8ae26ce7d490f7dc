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

extension Session {
  /// The memory lines under the summary block of a `run --alloc` session; empty otherwise.
  public var memorySummaryLines: [String] {
    guard let a = profile.run.allocations else { return [] }
    guard a.processes > 0 else { return ["Allocations: none recorded (the recorder was not loaded; see info)"] }
    let runs = profile.repeats.count
    return (runs > 1 ? ["Memory (summed over \(runs) runs; peak of the highest run):"] : []) + [
      "Allocated: \(ByteText.string(a.allocatedBytes)) in \(a.allocatedObjects.groupedThousands) objects "
        + "(estimated from \(a.sampledAllocations.groupedThousands) samples, one per \(ByteText.string(a.rate)) on average)",
      "In Use at Exit: \(ByteText.string(a.inUseBytes)) | Peak In Use: \(ByteText.string(a.peakInUseBytes)) "
        + "at \(DurationFormat.string(nanoseconds: a.peakNanos)) | Lost: \(a.lostRecords)",
    ]
  }
}

extension BinaryInteger {
  /// The number with thousands grouped by commas (prose only, never in exports).
  fileprivate var groupedThousands: String {
    let digits = String(self.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (self < 0 ? "-" : "") + out
  }
}

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
    if p.run.unparsedRecords > 0 { facts.unparsed = p.run.unparsedRecords }
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

extension Session {
  /// The lines under the summary block of a `run --off-cpu` session: how the main thread's
  /// elapsed time splits into CPU and waiting (by reason), what other threads' waits the main
  /// thread waited for, and how much off-CPU time the default view hides and why.
  public var waitingSummaryLines: [String] {
    guard let b = WaitReasons.breakdown(profile) else { return [] }
    func d(_ ns: Int64) -> String { DurationFormat.string(nanoseconds: ns) }
    let reasons = b.reasons.map { "\($0.reason.rawValue) \(d($0.nanos))" }.joined(separator: ", ")
    let elapsed = profile.run.elapsedNanos.map { "Elapsed \(d($0)) = " } ?? ""
    let whose = b.thread.map { " on the main thread (tid \($0))" } ?? ""
    var lines = [
      "\(elapsed)CPU \(d(b.cpuNanos)) + waiting \(d(b.waitingNanos))\(reasons.isEmpty ? "" : " (\(reasons))")\(whose)"
    ]
    if b.otherThreads > 0 {
      lines.append(
        "Not counted above: \(d(b.otherThreadsNanos)) off-CPU on \(b.otherThreads) other thread\(b.otherThreads == 1 ? "" : "s") "
          + "while the main thread waited for them (shown in top --sample-index offcpu"
          + (b.thread.map { "; --tagfocus tid=\($0) shows the main thread alone" } ?? "") + ")")
    }
    if b.unwaitedThreads > 0 {
      lines.append(
        "Hidden: \(d(b.unwaitedNanos)) off-CPU on \(b.unwaitedThreads) thread\(b.unwaitedThreads == 1 ? "" : "s") "
          + (profile.run.notes.contains { $0.contains("no wakeup records") }
            ? "other than the main thread (no wakeup records, so other threads' waits are not told apart; label critical=no)"
            : "nobody on the critical threads waited for (idle pools, helpers; label critical=no)")
          + ": --all-threads or set allthreads on shows it")
    }
    if let o = profile.run.offCPU, o.lostRecords > 0 {
      let cause =
        profile.run.notes.contains { $0.hasPrefix("off-CPU in the kernel") }
        ? "dropped in the kernel, see info" : "ring overflow"
      lines.append("Off-CPU records lost: \(o.lostRecords) (\(cause); waits are undercounted)")
    }
    return lines
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

import ProfileModel

/// What the summary block knows about a session; fields a source lacks stay nil and their
/// lines or parts are left out.
public struct SummaryFacts: Sendable, Equatable {
  public var command: String?
  public var exit: String?
  public var elapsedNanos: Int64?
  public var cpuNanos: Int64?
  public var functions: Int?
  public var totalCalls: Int64?
  public var samples: Int64?
  public var lost: Int64?

  public init(
    command: String? = nil, exit: String? = nil, elapsedNanos: Int64? = nil, cpuNanos: Int64? = nil,
    functions: Int? = nil, totalCalls: Int64? = nil, samples: Int64? = nil, lost: Int64? = nil
  ) {
    self.command = command
    self.exit = exit
    self.elapsedNanos = elapsedNanos
    self.cpuNanos = cpuNanos
    self.functions = functions
    self.totalCalls = totalCalls
    self.samples = samples
    self.lost = lost
  }

  /// CPU Time ÷ Elapsed, when both are known and elapsed is not zero.
  public var parallelism: Double? {
    guard let e = elapsedNanos, let c = cpuNanos, e > 0 else { return nil }
    return Double(c) / Double(e)
  }
}

/// The `=== perfsh Performance Summary ===` block of DESIGN.md.
public enum SummaryRenderer {
  /// The block's lines, without colour.
  public static func lines(_ facts: SummaryFacts) -> [String] {
    var lines = ["=== perfsh Performance Summary ==="]
    var first: [String] = []
    if let c = facts.command { first.append("Command: \(c)") }
    if let e = facts.exit { first.append("Exit: \(e)") }
    if !first.isEmpty { lines.append(first.joined(separator: " | ")) }
    var timing: [String] = []
    if let e = facts.elapsedNanos { timing.append("Elapsed: \(DurationFormat.string(nanoseconds: e))") }
    if let c = facts.cpuNanos { timing.append("CPU Time: \(DurationFormat.string(nanoseconds: c))") }
    if let p = facts.parallelism { timing.append("Parallelism: \(parallelismText(p))") }
    if !timing.isEmpty { lines.append(timing.joined(separator: " | ")) }
    var counts: [String] = []
    if let f = facts.functions { counts.append("Functions: \(f)") }
    if let t = facts.totalCalls { counts.append("Total Calls: \(t)") }
    if let s = facts.samples { counts.append("Samples: \(s)") }
    if let l = facts.lost { counts.append("Lost: \(l)") }
    if !counts.isEmpty { lines.append(counts.joined(separator: " | ")) }
    return lines
  }

  /// Writes the block.
  public static func write(_ facts: SummaryFacts, to out: inout some TextOutputStream) {
    for line in lines(facts) { out.write(line + "\n") }
  }

  /// The seed's `~0.7x` form: one decimal, two below 0.1 so light load does not read `~0.0x`.
  public static func parallelismText(_ p: Double) -> String {
    if p > 0 && p < 0.095 { return "~\(max(0.01, (p * 100).rounded() / 100))x" }
    let tenths = (p * 10).rounded() / 10
    var s = String(tenths)
    if s.hasSuffix(".0") && tenths >= 10 { s.removeLast(2) }
    return "~\(s)x"
  }
}

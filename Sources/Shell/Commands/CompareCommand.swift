import Analysis
import ArgumentParser
import ProfileModel
import Render

/// `compare A B [N]`: two sessions side by side, with a rank test when both have repeats.
struct CompareCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare two sessions: elapsed, CPU, parallelism and per-function self time with their changes.",
    discussion: """
      A and B are session references (an id, a name, @prev, @last); without them compare
      takes @prev and @last. N limits the function rows. Sessions may come from any source:
      a loaded pprof file against a fresh run works. Values are per run: a session captured
      with `run -n N` shows means over its runs.

      Functions found only in A are marked `gone`, only in B `new`. Traced sessions
      (run --trace) add calls, avg and p95 before and after.

      When both sessions have repeats (run -n N), every change carries a Mann–Whitney U
      test (as benchstat does) and its p-value, and the header shows the Hodges–Lehmann
      median change with its 95% interval. The two sessions of one `bench` (6 pairs or
      more) are tested pair by pair instead: Wilcoxon signed-rank on the per-pair log
      ratios, with the Hodges–Lehmann (Walsh average) interval; the note says which test
      ran. A change is significant only when p < 0.05
      AND the interval clears the noise floor (--noise, default 1%); otherwise it prints
      `~`, and the note says how many runs would tell it from noise. Runs outside
      Tukey's fences are listed as outliers (still used by the test).
      With one run on each side the note says there is no test.

      --sample-index compares another value column by name, e.g. the heap columns of
      `run --alloc` sessions (inuse_space, alloc_space, alloc_objects, inuse_objects);
      both sessions must have it. Repeats keep per-run CPU time only, so those function
      rows carry no test.

      EXAMPLES:
        compare @prev @last
        compare baseline 3 20 --threshold 5
        compare 1 2 --sort ratio
        compare @prev @last --sample-index inuse_space
      """,
    aliases: ["diff"])
  static var shell: CommandSpec {
    CommandSpec(
      group: .analysis, arguments: [.session, .session, .none],
      options: [
        "--sort": .choices(CompareSort.allCases.map(\.rawValue)),
        "--clock": .choices(CallClock.allCases.map(\.rawValue)),
      ])
  }

  @Argument(help: "Sessions A and B (default: @prev @last) and the number of rows.")
  var words: [String] = []

  @Option(help: "Row order: delta (largest |Δ| first), ratio (largest |Δ%| first) or name.")
  var sort: CompareSort = .delta

  @Option(help: "Only rows whose change is at least PCT percent (new and gone always show), e.g. 5 or 5%.")
  var threshold: String?

  @Option(help: "Traced times on both sides in cpu (default) or wall time.")
  var clock: CallClock = .cpu

  @Option(
    name: .customLong("sample-index"), help: "Value column to compare by name (e.g. inuse_space); default: CPU time.")
  var sampleIndex: String?
  @Option(help: "Noise floor: a change is significant only when its 95% interval lies beyond ±PCT (default 1%).")
  var noise: String?

  @OptionGroup var view: ViewOptions

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    var references: [String] = []
    var count: Int?
    for word in words {
      if references.count == 2, count == nil, let n = Int(word), n >= 0 {
        count = n
      } else if references.count < 2 {
        references.append(word)
      } else {
        throw .badArguments(command: "compare", message: "compare: unexpected argument '\(word)'")
      }
    }
    if references.count == 1 {
      throw .badArguments(command: "compare", message: "compare: name two sessions, e.g. 'compare @prev @last'")
    }
    if references.isEmpty { references = ["@prev", "@last"] }
    var percent: Double?
    if let threshold {
      let text = threshold.hasSuffix("%") ? String(threshold.dropLast()) : threshold
      guard let value = Double(text), value >= 0 else {
        throw .badPercentage(command: "compare", option: "--threshold", example: "5 or 5%", value: threshold)
      }
      percent = value
    }
    let floor =
      try noise.map { (text) throws(ShellError) in try Self.noiseFraction(text) } ?? CompareVerdict.defaultNoise
    let sessionA = try context.session(references[0])
    let sessionB = try context.session(references[1])
    // The web view's compare builds its sides the same way (CompareSide.pair).
    let shownView = try view.view(in: context)
    let (a, b) = try context.analyze { () throws(AnalysisError) in
      try CompareSide.pair(
        sessionA.compareInput, sessionB.compareInput, view: shownView, clock: clock, sampleIndex: sampleIndex)
    }
    let report = CompareReport(
      a, b, options: CompareOptions(sort: sort, thresholdPercent: percent, rowLimit: count, noise: floor))
    var out = context.out
    CompareRenderer.write(report, to: &out, options: context.renderOptions)
    return .success
  }
}

extension CompareCommand {
  /// `1%`, `0.5` (percent) as a fraction; 0 turns the floor off.
  static func noiseFraction(_ text: String) throws(ShellError) -> Double {
    let number = text.hasSuffix("%") ? String(text.dropLast()) : text
    guard let value = Double(number), value >= 0, value < 100 else {
      throw .badPercentage(command: nil, option: "--noise", example: "1 or 0.5%", value: text)
    }
    return value / 100
  }
}

extension CompareSort: ExpressibleByArgument {}

extension ShellContext {
  /// One side of a comparison for a session, labelled `[id] name`; traced times in `clock`
  /// (the same on both sides), names from `profile` when given (a view of the session's);
  /// `sampleIndex` names the value column compared (default: CPU time).
  func compareSide(
    _ session: Session, profile: Profile? = nil, clock: CallClock = .cpu, sampleIndex: String? = nil
  ) throws(ShellError) -> CompareSide {
    try analyze { () throws(AnalysisError) in
      try CompareSide(session.compareInput, viewedAs: profile, clock: clock, sampleIndex: sampleIndex)
    }
  }
}

extension Session {
  /// This session as a side of `compare`: labelled `[id] name`, with the sample count shown.
  var compareInput: CompareInput {
    CompareInput(label: "[\(id)] \(name)", profile: profile, samples: SessionDescription.sampleCount(profile))
  }
}

import Analysis
import ArgumentParser
import ProfileModel
import Render

/// `heatmap [bar|sparkline|table]`: the seed's per-function views.
struct HeatmapCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "heatmap",
    abstract: "Show the per-function heatmap: bar (default), sparkline or table; -i for the interactive view.",
    discussion: """
      bar: top 25 by CPU Time (sum of self time), bar length proportional to it, red for
      the highest impact to green for the lowest, then `avg: X | calls: N`.
      sparkline: how each function's cost moved over the run, left to right. Sampled
      sessions: self time per stretch of the run; traced sessions with kept calls: the
      average self time per call of the calls that began there. Height is relative to the
      row's own peak; blank means nothing there. run -n overlays the runs on their own
      time. Loaded pprof/folded files have no times: one level across, and the legend says so.
      table: top 50 with Count, CPU Time, Avg, Max and P95.
      A sampled session has no exact calls: Count shows samples and Avg/Max/P95 show -.
      A session without a time column (folded stacks, a count-only pprof) shows Count
      alone (its samples/count values), ranked and drawn by it; the legend says so.
      Trace functions (run --trace) to measure them. Traced times are the thread's CPU
      time per call with the probes' own cost taken out; --clock wall shows wall time
      (entry to return), --raw the numbers before the probe cost was subtracted.

      EXAMPLES:
        heatmap
        heatmap table -n 20 --sort p95
        heatmap -i
        heatmap table --clock offcpu     (a run --off-cpu session: where it waited)
      """)
  static var shell: CommandSpec {
    CommandSpec(
      group: .analysis, arguments: [.choices(HeatmapMode.allCases.map(\.rawValue)), .session],
      options: [
        "--sort": .choices(HeatmapSort.allCases.map(\.rawValue)),
        "--clock": .choices(HeatmapClock.allCases.map(\.rawValue)),
      ])
  }

  @Argument(help: "bar, sparkline or table (default: bar), then optionally a session.")
  var words: [String] = []

  @Option(name: .short, help: "Rows to show (default 25, or 50 for table).")
  var n: Int?

  @Option(help: "Order rows by cpu, calls, avg, max or p95.")
  var sort: HeatmapSort = .cpu

  @Option(
    help: "Clock: cpu (default) or wall for traced times; cpu, wall or offcpu for a sampled run --off-cpu session.")
  var clock: HeatmapClock = .cpu

  @Flag(help: "Traced times as measured, without taking the probe cost out.")
  var raw = false

  @Flag(name: .shortAndLong, help: "Open the interactive full-screen view (needs a terminal).")
  var interactive = false

  @OptionGroup var view: ViewOptions

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    var mode = HeatmapMode.bar
    var reference: String?
    for word in words {
      if let m = HeatmapMode(rawValue: word) {
        mode = m
      } else if reference == nil {
        reference = word
      } else {
        throw .badArguments(command: "heatmap", message: "heatmap: unexpected argument '\(word)'")
      }
    }
    let s: Session
    do {
      s = try context.session(reference)
    } catch {
      // `heatmap tabel`: a misspelt mode, not a session name.
      if let word = reference, let mode = Suggestion.closest(to: word, in: HeatmapMode.allCases.map(\.rawValue)) {
        throw .badArguments(
          command: "heatmap", message: "heatmap: unknown mode or session '\(word)' (did you mean '\(mode)'?)")
      }
      throw error
    }
    var filter = try context.filter(of: s)
    let profile = try view.profile(of: s, in: context)
    let traced = !profile.callStatistics.isEmpty
    if !traced && clock != .cpu {
      // Every off-CPU stack ends in the scheduler: its time goes to the user function that
      // entered the kernel (as `hide --kernel`), which is where the program waited.
      let pattern = filter.hide.map { "(?:\($0.pattern))|\(ProfileView.kernelPattern)" } ?? ProfileView.kernelPattern
      filter.hide = try context.analyze { () throws(AnalysisError) in try NameMatcher(pattern, option: "hide") }
    }
    if traced && clock == .offcpu {
      throw .command(.offCPUClockOfTracedSession(command: "heatmap"))
    }
    let callClock: CallClock = clock == .wall ? .wall : .cpu
    let heatmap = try context.analyze { () throws(AnalysisError) in
      try Heatmap(
        profile: profile, sort: sort, filter: filter, clock: callClock, raw: raw,
        sampleIndex: traced ? nil : clock.rawValue)
    }
    if interactive {
      try HeatmapView.run(heatmap: heatmap, session: s, mode: mode, context: context)
      return .success
    }
    var out = context.out
    HeatmapRenderer.write(
      heatmap, mode: mode, limit: n, facts: s.summaryFacts, to: &out, options: context.renderOptions)
    return .success
  }
}

extension HeatmapSort: ExpressibleByArgument {}

/// `heatmap --clock`: traced sessions' cpu or wall time per call, or a sampled off-CPU
/// session's cpu, wall (cpu + off-CPU) or offcpu column.
enum HeatmapClock: String, CaseIterable, ExpressibleByArgument {
  case cpu, wall, offcpu
}

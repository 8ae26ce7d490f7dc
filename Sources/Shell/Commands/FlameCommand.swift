import Analysis
import ArgumentParser
import ProfileModel
import Render

/// `flame [--depth N] [--clock cpu|wall|offcpu] [--color module|self] [REGEX] [SESSION]`:
/// the flame graph as an icicle fitted to the terminal, or full screen with `-i`.
struct FlameCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "flame",
    abstract: "Draw the flame graph (an icicle, callers on top) fitted to the terminal; -i to explore it full screen.",
    discussion: """
      Each frame is as wide as its cum (to within one cell); names are shortened in the
      middle to fit. Frames are coloured by module (user, library, kernel, JIT) or with
      --color self by their self value; focus, ignore and hide apply. Frames narrower than
      a cell are merged with thin neighbours and shown as +N (N frames). REGEX roots the
      graph at the outermost matching frame of each stack.
      --clock picks the value drawn: cpu (default), wall or offcpu (sessions recorded with
      run --off-cpu have the latter two).
      --diff A B draws B's shape coloured by the change of each frame's self time from A
      (red slower, blue faster); with repeats on both sides (run -n) only significant
      changes are coloured (Mann-Whitney per function), the rest is grey.
      -i keys: arrows move (left/right siblings, up caller, down callee), Enter zooms into
      the selected frame, Backspace zooms out, / searches (matched share shown), q quits.

      EXAMPLES:
        flame
        flame --depth 6 '^parse'
        flame --color self @prev
        flame --diff 1 2
        flame -i
      """)
  static var shell: CommandSpec {
    CommandSpec(
      group: .analysis, arguments: [.function, .session],
      options: [
        "--clock": .choices(FlameClock.allCases.map(\.rawValue)),
        "--color": .choices(FlameColorMode.allCases.map(\.rawValue)),
        "--sort": .choices(FlameSort.allCases.map(\.rawValue)),
      ])
  }

  @Argument(help: "[REGEX] [SESSION], or with --diff: [REGEX] A B.")
  var words: [String] = []

  @Option(help: "Show at most this many levels.")
  var depth: Int?

  @Option(help: "Value drawn: cpu (default), wall or offcpu.")
  var clock: FlameClock?

  @Option(help: "Colour frames by module (default) or self.")
  var color: FlameColorMode = .module

  @Option(help: "Order siblings by name (default, as flamegraph.pl) or weight.")
  var sort: FlameSort = .name

  @Option(help: "Columns to draw (default: the terminal's width).")
  var width: Int?

  @Flag(help: "Differential: the last two words are sessions A and B; B's shape coloured by change from A.")
  var diff = false

  @Flag(name: .shortAndLong, help: "Open the interactive full-screen view (needs a terminal).")
  var interactive = false

  @OptionGroup var report: ReportOptions

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    var rest = words
    var sessionB: Session?
    var sessionA: Session?
    if diff {
      guard rest.count >= 2, rest.count <= 3 else {
        throw .badArguments(command: "flame", message: "flame --diff needs two sessions: flame --diff [REGEX] A B")
      }
      sessionB = try context.session(rest.removeLast())
      sessionA = try context.session(rest.removeLast())
    } else if rest.count > 2 {
      throw .badArguments(command: "flame", message: "flame: unexpected argument '\(rest[2])'")
    }
    let pattern = rest.first
    let reference = rest.count > 1 ? rest[1] : nil
    if let depth, depth < 1 {
      throw .command(.optionOutOfRange(command: "flame", option: "--depth", expected: "at least 1", value: nil))
    }
    let columns = max(20, width ?? context.terminalWidth)
    let s: Session
    if let sessionB { s = sessionB } else { s = try context.session(reference) }
    let graphs = try Self.graphs(
      a: sessionA, b: s, pattern: pattern, depth: depth, clock: clock, sort: sort, report: report, context: context)
    let title =
      sessionA.map { "flame --diff [\($0.id)] \($0.name) → [\(s.id)] \(s.name)" } ?? "flame [\(s.id)] \(s.name)"
    var options = FlameTextOptions(width: columns, color: context.useColor, colorMode: color, diff: graphs.diff)
    if interactive {
      try FlameView.run(graph: graphs.b, title: title, options: options, context: context)
      return .success
    }
    options.width = columns
    var out = context.out
    FlameRenderer.write(graphs.b, title: title, to: &out, options: options)
    return .success
  }

  /// B's graph and, with A, the differential colouring; shared with `export svg`.
  static func graphs(
    a: Session?, b: Session, pattern: String?, depth: Int?, clock: FlameClock?, sort: FlameSort,
    report: ReportOptions, context: ShellContext
  ) throws(ShellError) -> (b: FlameGraph, diff: FlameDiff?) {
    if clock != nil, report.sampleIndex != nil {
      throw .command(.exclusiveOptions(command: "flame", first: "--clock", second: "--sample-index", wording: .notBoth))
    }
    func build(_ s: Session, profile: Profile) throws(ShellError) -> FlameGraph {
      var graph = try report.graphOptions(for: s, in: context)
      if let clock {
        guard let column = profile.sampleTypeIndex(named: clock.rawValue) else {
          throw .command(
            .missingSampleType(session: s.id, type: clock.rawValue, available: profile.sampleTypes.map(\.type)))
        }
        graph.valueIndex = column
      }
      let options = graph
      return try context.analyze { () throws(AnalysisError) in
        let root = try pattern.map { p throws(AnalysisError) in try NameMatcher(p, option: "flame") }
        return try FlameGraph(
          profile: profile, options: FlameOptions(graph: options, root: root, maxDepth: depth, sort: sort))
      }
    }
    guard let a else { return (try build(b, profile: try report.view.profile(of: b, in: context)), nil) }
    // Repeats keep self time by full function name: both graphs use the sessions' own names.
    let graphA = try build(a, profile: a.profile)
    let graphB = try build(b, profile: b.profile)
    let sideA = try context.compareSide(a)
    let sideB = try context.compareSide(b)
    let diff = FlameDiff(
      a: graphA, b: graphB, runsA: sideA.runs, runsB: sideB.runs, repeatsA: sideA.repeatSelf, repeatsB: sideB.repeatSelf
    )
    return (graphB, diff)
  }
}

/// `--clock` of `flame` and `export svg`: the sample column drawn.
enum FlameClock: String, ExpressibleByArgument, CaseIterable {
  case cpu, wall, offcpu
}

extension FlameColorMode: ExpressibleByArgument {}
extension FlameSort: ExpressibleByArgument {}

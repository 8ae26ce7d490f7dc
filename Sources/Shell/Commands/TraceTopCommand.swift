import Analysis
import ArgumentParser
import Capture
import ProfileModel
import Symbolize

/// `trace-top N [SESSION]`: re-runs a sampled session's command, tracing the N functions
/// with the most self time — one step from "where is the time" to exact per-call numbers.
///
/// A command of its own rather than a `run` flag: it takes its command line from a session
/// (the thing it is about), not from the command line, and `run` keeps one job.
struct TraceTopCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "trace-top",
    abstract: "Re-run a session's command tracing its N functions with the most self time.",
    discussion: """
      Picks the N functions with the most self time in SESSION (default: the current
      one) that live in the executable or one of its libraries (kernel and JIT frames
      cannot be probed) and runs `run --trace` on the session's command with exact
      patterns for them. The result is a new session with exact Count, Avg, Max, P95.
      A function no symbol names (inlined, or in a stripped file without a debug file)
      is skipped with a note and the next one is taken. In Go programs, functions whose
      entry probe would be single-stepped (assembly without a stack check, ~10 µs a call)
      are skipped, and Go runtime functions (called far more often) only fill places that
      user code leaves; `run --trace NAME` traces any of them by name.

      Before tracing, a sampled trial of at most 0.3 s runs the command under the probes
      (then stops it) to estimate the slowdown from the share of its CPU spent handling
      probes (a lower bound; exact when the trial runs the whole command). From 3× on it
      asks on a terminal and stops in a script unless --yes is given or 'set traceconfirm off'.

      EXAMPLES:
        trace-top 5
        trace-top 10 @prev --no-sample
        trace-top 5 --yes
      """)
  static var shell: CommandSpec { CommandSpec(group: .capture, arguments: [.none, .session]) }

  @Argument(help: "How many functions to trace.")
  var count: Int

  @Argument(help: "The sampled session (id, name, @last or @prev; default: current).")
  var session: String?

  @Flag(name: .customLong("no-sample"), help: "Trace only, do not sample.")
  var noSample = false

  @Flag(
    name: .customLong("yes"),
    help: "Trace even when the trial estimates a large slowdown (for scripts; or 'set traceconfirm off').")
  var yes = false

  func validate() throws {
    if count < 1 { throw ValidationError("trace-top needs a positive number of functions, not \(count)") }
  }

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let source = try context.session(session)
    guard case .run(let command) = source.source, let name = command.first else {
      throw .command(
        .sessionLacks(
          command: "trace-top", session: source.id, what: "was loaded from a file; it has no command to re-run"))
    }
    let heatmap = try context.analyze { () throws(AnalysisError) in try Heatmap(profile: source.profile) }
    let executable = ProbeSiteResolver(executable: Self.resolve(name)).executable
    let selection = TraceTopSelection.select(
      ranked: heatmap.rows.map(\.name), profile: source.profile, executable: executable, count: count)
    for line in TraceTopSelection.skipLines(selection.skipped) { context.out.write("trace-top: skipped \(line)\n") }
    if selection.unprobeable > 0 {
      context.out.write("trace-top: skipped \(selection.unprobeable) kernel or JIT functions (they cannot be probed)\n")
    }
    let patterns = selection.choices
    guard !patterns.isEmpty else {
      throw .command(.nothingToProbe(session: source.id))
    }
    try confirmCost(patterns: patterns.map(\.pattern), command: command, session: source, context: context)
    context.out.write("tracing \(patterns.count) functions: \(patterns.map(\.display).joined(separator: ", "))\n")
    var arguments: [String] = []
    for p in patterns { arguments += ["--trace", p.pattern] }
    if noSample { arguments.append("--no-sample") }
    arguments.append("--yes")  // the trial above has checked the cost already
    arguments += ["--"] + command
    let run: RunCommand
    do {
      run = try RunCommand.parse(arguments)
    } catch {
      throw .command(.traceSetup(command: "trace-top", reason: RunCommand.message(for: error)))
    }
    return try run.execute(in: context)
  }

  /// Estimates the slowdown with a short trial and goes on, asks (on a terminal) or stops
  /// (in a script without `--yes`) when it is large.
  private func confirmCost(patterns: [String], command: [String], session: Session, context: ShellContext)
    throws(ShellError)
  {
    let confirm = context.settings["traceconfirm"] != "off"
    guard !yes, confirm else { return }
    context.flush()
    let estimate = try TraceCostEstimate.measure(
      patterns: patterns, request: CaptureRequest(arguments: command),
      untracedCPUNanos: session.profile.run.cpuNanos ?? 0,
      context: context)
    let what =
      "trace-top: tracing is estimated to make \(Self.baseName(command[0])) \(estimate.slowdownText()): \(estimate.basisText)"
    switch TraceConfirmation.decide(
      estimate: estimate, yes: yes, confirmSetting: confirm,
      interactive: context.inputIsTerminal && context.outputIsTerminal)
    {
    case .proceed:
      context.out.write("trace-top: estimated \(estimate.slowdownText()) (\(estimate.basisText))\n")
      return
    case .refuse:
      throw .command(.traceNotConfirmed(estimate: what))
    case .ask:
      context.out.write(what + "\nProceed? [y/N] ")
      context.flush()
      let answer = readLine(strippingNewline: true)?.lowercased() ?? ""
      guard answer == "y" || answer == "yes" else { throw .command(.traceDeclined) }
    }
  }

  private static func baseName(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }

  /// The executable a command name runs (PATH lookup for bare names), or the name itself.
  private static func resolve(_ name: String) -> String {
    (try? ExecutableLookup.resolve(
      name, searchPath: SystemInfo.environment().last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }))
      ?? name
  }
}

/// Chooses what `trace-top` traces: the first `count` ranked names whose code lies in a
/// file (the executable or a shared library) rather than the kernel or a JIT, and that the
/// file's symbols name (so the probe resolves); the others are skipped with a reason.
enum TraceTopSelection {
  /// A `--trace` pattern and the name it stands for.
  struct Choice: Equatable {
    var pattern: String
    var display: String
  }

  /// A function passed over, and why.
  struct Skip: Equatable {
    var name: String
    var reason: String
  }

  /// What `select` chose and passed over.
  struct Selection: Equatable {
    var choices: [Choice] = []
    /// Functions in files that could not be traced by name, in rank order.
    var skipped: [Skip] = []
    /// Kernel and JIT functions ranked before the last choice (never probeable).
    var unprobeable = 0
  }

  /// The choices of `select` alone.
  static func patterns(ranked: [String], profile: Profile, executable: String, count: Int) -> [Choice] {
    select(ranked: ranked, profile: profile, executable: executable, count: count).choices
  }

  /// Walks `ranked` until `count` functions that can be traced are found.
  static func select(ranked: [String], profile: Profile, executable: String, count: Int) -> Selection {
    // One pass over locations: the mapping file of every function name. Only a location's
    // last line is a function with code of its own; the others were inlined into it and
    // have no symbol to probe (Go's runtime inlines many of its hottest helpers).
    var fileOf: [String: String] = [:]
    for location in profile.locations {
      guard let m = location.mapping else { continue }
      let file = profile.string(profile.mapping(m).filename)
      for line in location.lines.suffix(1) where fileOf[profile.name(of: line.function)] == nil {
        fileOf[profile.name(of: line.function)] = file
      }
    }
    var result = Selection()
    var namesIn: [String: Result<[String: ProbeSite], ProbeResolveError>] = [:]
    // Go's runtime functions are called far more often than user code (trace-top 20 on the stacks
    // example chose 20 of them: 302× slower): they only fill places user code leaves.
    var deferred: [(rank: Int, choice: Choice)] = []
    for (rank, name) in ranked.enumerated() where result.choices.count < count {
      guard let file = fileOf[name], file.hasPrefix("/"), !file.hasPrefix("/tmp/perf-"), !name.hasPrefix("[") else {
        result.unprobeable += 1
        continue
      }
      // The same symbol sources the resolver reads, once per file.
      let names =
        namesIn[file]
        ?? Result { () throws(ProbeResolveError) in
          Dictionary(try ProbeSiteResolver.functions(in: file).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        }
      namesIn[file] = names
      let site: ProbeSite
      switch names {
      case .failure(let error):
        result.skipped.append(Skip(name: name, reason: error.description))
        continue
      case .success(let sites):
        guard let found = sites[name] else {
          let base = file.split(separator: "/").last.map(String.init) ?? file
          result.skipped.append(
            Skip(name: name, reason: "no symbol of \(base) has this name (inlined, or stripped without a debug file)"))
          continue
        }
        site = found
      }
      if let reason = GoProbePlacement.untraceableReason(name) {
        result.skipped.append(Skip(name: name, reason: reason))
        continue
      }
      let exact = "^" + escaped(name) + "$"
      let isExecutable = ProbeSiteResolver(executable: file).executable == executable
      let choice = Choice(pattern: isExecutable ? exact : file + ":" + exact, display: name)
      if site.isGo {
        switch goCost(ProbeSiteResolver.placed([site])[0]) {
        case .singleStepped(let reason):
          result.skipped.append(Skip(name: name, reason: reason))
          continue
        case .runtime:
          deferred.append((rank, choice))
          continue
        case .cheap:
          break
        }
      }
      result.choices.append(choice)
    }
    // Runtime functions fill what user code left, in rank order; the rest are named as skipped.
    let fill = deferred.prefix(max(0, count - result.choices.count))
    result.choices += fill.map(\.choice)
    for left in deferred.dropFirst(fill.count) {
      result.skipped.append(
        Skip(
          name: left.choice.display,
          reason: "Go runtime, called far more often than user code (each traced call costs ~10µs): "
            + "user code preferred; trace it by name with run --trace"))
    }
    return result
  }

  /// What tracing one Go function costs, as trace-top ranks it.
  enum GoCost: Equatable {
    /// Its entry probe is emulated: the RET probes' single steps are the cost of every Go call.
    case cheap
    /// Go runtime code: called far more often than user code.
    case runtime
    /// Its entry probe is single-stepped too (Go assembly without a stack check), with why.
    case singleStepped(String)
  }

  /// The cost class of a placed Go `site`.
  static func goCost(_ site: ProbeSite) -> GoCost {
    if let placement = site.placement, placement.kind == .singleStepped || placement.kind == .ripRelative {
      return .singleStepped(
        "its entry probe would be single-stepped (\(placement.reason); ~10µs a call on top of its RETs): "
          + "trace it by name with run --trace")
    }
    let package = site.name.split(separator: ".").first.map(String.init) ?? ""
    let runtime = ["runtime", "internal/runtime", "runtime/internal", "internal/bytealg", "internal/abi"]
    return runtime.contains { package == $0 || package.hasPrefix($0 + "/") } ? .runtime : .cheap
  }

  /// One line per reason, in order of first appearance: "NAME: REASON", or for several
  /// functions skipped for one reason "A, B, C and 4 more: REASON".
  static func skipLines(_ skipped: [Skip], listed: Int = 3) -> [String] {
    var order: [String] = []
    var names: [String: [String]] = [:]
    for skip in skipped {
      if names[skip.reason] == nil { order.append(skip.reason) }
      names[skip.reason, default: []].append(skip.name)
    }
    return order.map { reason in
      let all = names[reason] ?? []
      let more = all.count > listed ? " and \(all.count - listed) more" : ""
      return all.prefix(listed).joined(separator: ", ") + more + ": " + reason
    }
  }

  /// `name` with regular-expression characters escaped.
  static func escaped(_ name: String) -> String {
    var out = ""
    for c in name {
      if "\\^$.|?*+()[]{}".contains(c) { out.append("\\") }
      out.append(c)
    }
    return out
  }
}

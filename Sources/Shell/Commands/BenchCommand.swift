import Analysis
import ArgumentParser
import Capture
import ProfileModel
import Render

/// `bench [-n RUNS] [--warmup N] [--order abba|random[:SEED]] [--name A] CMD_A -- [--name B] CMD_B`:
/// runs A and B interleaved in A/B pairs into two sessions with repeats, then prints `compare`.
struct BenchCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Run two commands interleaved (A B B A …) into two sessions with repeats and compare them.",
    discussion: """
      Each run is a full capture. The order is A B B A A B B A … (ABBA: every
      four runs are balanced, so drift in the machine's load lands on both
      sides equally), or with --order random[:SEED] each pair A B or B A by a
      seeded coin (the seed is noted); warmup runs (A B per warmup) come first
      and are not kept. Runs 2i and 2i+1 are always one A and one B: compare
      then tests the two sessions pair by pair (Wilcoxon signed-rank on the
      per-pair ratios, from 6 pairs; fewer pairs use the unpaired test).
      The two sessions carry every run's elapsed, CPU time and per-function
      times like `run -n N`, and a note with the order. A run that fails stops
      the bench (and a script) with an error; `perfsh bench …` exits with that
      run's status. The runs captured so far are kept as the two sessions.
      --trace, --alloc and --off-cpu apply to both sides as they do for run.
      --no-sample times the runs without sampling them (elapsed and CPU time
      only, like hyperfine; with --trace the traced calls too): the gate's
      numbers without the sampler's interrupts on the target's CPU time.

      Then bench prints `compare A B` (see `help compare` for the statistic);
      `assert compare(@prev, @last).cpu < +2% significant` makes it a gate.

      EXAMPLES:
        bench -n 10 --warmup 1 ./old/app in.txt -- ./new/app in.txt
        bench -n 10 --name base ./app -- --name slow ./app --slowdown 2
        bench -n 10 --order random:42 --trace '^parse' ./old/app -- ./new/app
        bench -n 10 --no-sample ./old/app -- ./new/app
      """)
  static var shell: CommandSpec { CommandSpec(group: .capture, arguments: [.file, .file]) }

  @Option(name: [.customShort("n"), .customLong("runs")], help: "Counted runs per side.")
  var runs: Int = 10

  @Option(help: "Uncounted runs per side before the counted ones.")
  var warmup: Int = 1

  @Option(
    name: [.customShort("F"), .customLong("freq")], help: "Samples per second per CPU (default: the freq setting).")
  var frequency: Int?

  @Option(help: "Noise floor for compare's significance (default 1%).")
  var noise: String?

  @Option(help: "Name of session A (default: A's command name).")
  var name: String?

  @Option(help: "Run order: abba (A B B A …, the default) or random[:SEED] (each pair A B or B A by a seeded coin).")
  var order = "abba"

  @Option(
    name: .customLong("trace"),
    help: "Trace functions matching this regex (optionally LIB:REGEX) on both sides, as run --trace (repeatable).")
  var trace: [String] = []

  @Option(name: .customLong("trace-max"), help: "Allow more than 1000 traced functions.")
  var traceMax: Int?

  @Flag(help: "Also record allocations on both sides, as run --alloc.")
  var alloc = false

  @Flag(name: .customLong("off-cpu"), help: "Also record where threads wait on both sides, as run --off-cpu.")
  var offCPU = false

  @Flag(
    name: .customLong("no-sample"),
    help: "Measure elapsed and CPU time only, without CPU sampling (with --trace: trace only, as run).")
  var noSample = false

  @Argument(parsing: .captureForPassthrough, help: "CMD_A ARGS… -- [--name B] CMD_B ARGS…")
  var words: [String] = []

  func validate() throws {
    if runs < 1 { throw ValidationError("-n takes a number of runs of at least 1, not \(runs)") }
    if warmup < 0 { throw ValidationError("--warmup takes a number of runs of at least 0, not \(warmup)") }
    if BenchOrder(option: order) == nil {
      throw ValidationError("--order takes abba, random or random:SEED (a whole number), not '\(order)'")
    }
    if trace.isEmpty && traceMax != nil { throw ValidationError("--trace-max needs --trace") }
    if noSample && alloc { throw ValidationError("--alloc keeps CPU sampling: drop --no-sample") }
    if noSample && offCPU { throw ValidationError("--off-cpu keeps CPU sampling: drop --no-sample") }
  }

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let (a, b) = try Self.split(words, nameA: name)
    let floor =
      try noise.map { (text) throws(ShellError) in try CompareCommand.noiseFraction(text) }
      ?? CompareVerdict.defaultNoise
    let hz = frequency ?? context.settings.frequency
    let allocation = try alloc ? AllocationRun.request(rate: nil, environment: context.environment) : nil
    let requests = [a.argv, b.argv].map { argv in
      var request = CaptureRequest(arguments: argv, frequency: hz, callGraph: .auto, allocation: allocation)
      request.offCPU = !noSample && (offCPU || context.settings.offCPU)
      return request
    }
    let runOrder = BenchOrder(option: order) ?? .abba
    context.flush()
    context.symbolizer.prefetchKernelSymbols()
    let outcome = try Self.interleave(runs: runs, warmup: warmup, order: runOrder, context: context) {
      side, _ throws(ShellError) in
      let request = requests[side.rawValue]
      // A tracer's events belong to one run: each run gets its own (nil without --trace).
      let tracing = try TraceRun.prepare(patterns: trace, limit: traceMax, request: request)
      var result = try context.captureSymbolized(request, companion: tracing?.tracer, sample: !noSample)
      tracing?.attach(to: &result.profile, pid: result.pid, context: context)
      return result.profile
    }
    var sessions: [Session] = []
    for (side, spec) in [(BenchSide.a, a), (BenchSide.b, b)] {
      guard let profile = outcome.profiles[side.rawValue] else { continue }
      sessions.append(context.addSession(profile, name: spec.name, source: .run(command: spec.argv)))
    }
    if let failure = outcome.failure {
      // Stops a gate script here (a partial bench must not pass its asserts); `perfsh bench …` exits with the run's status.
      throw .commandFailed(
        "bench: \(failure.text); stopped, the runs so far are kept as sessions", exitStatus: failure.status)
    }
    if sessions.count == 2 {
      let sa = try context.compareSide(sessions[0])
      let sb = try context.compareSide(sessions[1])
      let report = CompareReport(sa, sb, options: CompareOptions(rowLimit: 10, noise: floor))
      var out = context.out
      CompareRenderer.write(report, to: &out, options: context.renderOptions)
    }
    return .success
  }

  /// One side's command and session name.
  struct Spec: Equatable {
    var name: String
    var argv: [String]
  }

  /// Splits `CMD_A … -- [--name B] CMD_B …` into the two sides.
  static func split(_ words: [String], nameA: String?) throws(ShellError) -> (Spec, Spec) {
    var rest = words
    if rest.first == "--" { rest.removeFirst() }
    guard let bar = rest.firstIndex(of: "--") else {
      throw .badArguments(
        command: "bench", message: "bench: separate the two commands with --, e.g. 'bench ./old -- ./new'")
    }
    let argvA = Array(rest[..<bar])
    var argvB = Array(rest[(bar + 1)...])
    var nameB: String?
    if argvB.first == "--name" {
      guard argvB.count >= 2 else { throw .badArguments(command: "bench", message: "bench: --name needs a value") }
      nameB = argvB[1]
      argvB.removeFirst(2)
    }
    guard !argvA.isEmpty, !argvB.isEmpty else {
      throw .badArguments(command: "bench", message: "bench: name a command on each side of --")
    }
    func base(_ argv: [String]) -> String { String(argv[0].split(separator: "/").last ?? Substring(argv[0])) }
    var a = Spec(name: nameA ?? base(argvA), argv: argvA)
    var b = Spec(name: nameB ?? base(argvB), argv: argvB)
    if a.name == b.name {
      a.name += "-A"
      b.name += "-B"
    }
    return (a, b)
  }

  /// What an interleaved bench captured: each side's merged profile (nil when it has no
  /// counted run) and, when a run failed, which one and its exit status.
  struct Outcome {
    var profiles: [Profile?]
    var failure: (text: String, status: Int32)?
    /// The failing run's exit status.
    var failedStatus: Int32? { failure?.status }
  }

  /// Runs warmups (A B each, discarded) then the ABBA order, merging each side's runs as
  /// `run -n` does; stops at the first failing or interrupted run, keeping what was merged.
  static func interleave(
    runs: Int, warmup: Int, order: BenchOrder = .abba, context: ShellContext,
    once: (BenchSide, Int) throws(ShellError) -> Profile
  ) throws(ShellError) -> Outcome {
    func failed(_ p: Profile) -> Int32? {
      let status = p.run.termination?.shellStatus ?? 0
      return status != 0 ? status : (p.run.interrupted ? 130 : nil)
    }
    for w in 0..<warmup {
      for side in [BenchSide.a, .b] {
        let p = try once(side, 0)
        context.err.write("perfsh: warmup \(w + 1)/\(warmup) \(side.letter) (not counted)\n")
        if let status = failed(p) {
          return Outcome(profiles: [nil, nil], failure: ("warmup of \(side.letter) failed (exit \(status))", status))
        }
      }
    }
    var mergers: [RepeatMerger?] = [nil, nil]
    var done: [BenchSide] = []
    var counts = [0, 0]
    var failure: (text: String, status: Int32)?
    // Tags every counted run with its A/B pair, so compare can test the bench pair by pair.
    let bench = UInt64.random(in: 1...UInt64.max)
    for (position, side) in order.sides(runs: runs).enumerated() {
      counts[side.rawValue] += 1
      let profile = try once(side, counts[side.rawValue])
      var info = try context.analyze { () throws(AnalysisError) in try RepeatMerger.repeatInfo(of: profile) }
      info.benchPair = BenchPair(bench: bench, index: position / 2)
      context.err.write("perfsh: bench \(side.letter) run \(counts[side.rawValue])/\(runs)\(describe(info))\n")
      context.err.flush()
      if mergers[side.rawValue] == nil {
        mergers[side.rawValue] = RepeatMerger(first: profile, info: info)
      } else {
        do { try mergers[side.rawValue]?.append(profile, info: info) } catch {
          throw .command(.benchMerge(reason: error.description))
        }
      }
      done.append(side)
      if let status = failed(profile) {
        failure = ("\(side.letter) run \(counts[side.rawValue]) failed (exit \(status))", status)
        break
      }
    }
    let orderText = done.map(\.letter).joined(separator: " ")
    let profiles = mergers.enumerated().map { index, merger -> Profile? in
      guard var p = merger?.finish() else { return nil }
      let letter = index == 0 ? "A" : "B"
      p.run.notes.append(
        "bench side \(letter): interleaved \(order.description) order \(orderText); \(warmup) warmup run\(warmup == 1 ? "" : "s") per side not counted"
      )
      return p
    }
    return Outcome(profiles: profiles, failure: failure)
  }

  private static func describe(_ r: RunRepeat) -> String {
    var parts: [String] = []
    if let e = r.elapsedNanos { parts.append("elapsed \(DurationFormat.string(nanoseconds: e))") }
    if let c = r.cpuNanos { parts.append("cpu \(DurationFormat.string(nanoseconds: c))") }
    return parts.isEmpty ? "" : ": " + parts.joined(separator: "  ")
  }
}

/// Which side of a bench a run belongs to.
enum BenchSide: Int, Sendable {
  case a = 0
  case b = 1

  var letter: String { self == .a ? "A" : "B" }
}

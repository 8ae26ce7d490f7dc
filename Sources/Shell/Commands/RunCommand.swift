import Analysis
import ArgumentParser
import Capture
import Foundation
import ProfileModel
import Render
import Symbolize
import Unwind

/// `run [FLAGS] [--] CMD ARGS…`: runs a command under the CPU sampler into a new session.
struct RunCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a command under the CPU sampler and keep the profile as a new session.",
    discussion: """
      Sampling (software cpu-clock, -F samples per second per CPU) starts exactly at exec
      of the command and follows every thread and child process. The command's input and
      output are its own; Ctrl-C goes to it and the session keeps what was captured;
      a second Ctrl-C while it still runs kills it (SIGKILL). SIGHUP is passed on to it
      like SIGTERM, then perfsh ends. If perfsh itself dies, the command is killed too
      (PR_SET_PDEATHSIG); daemons it started live on and are not profiled after it exits.
      perfsh exits with the command's status when run as `perfsh run CMD`.
      With --trace, BPF programs on the probes pair and add up calls in the kernel where
      BPF can run (not for Go); `set tracebackend ring` keeps a ring record per hit instead.

      With --trace, the sampled stacks stay whole across probes, and the kernel's probe
      handling is one '[probe handling]' node under the frame where the probe hit
      (ignore '^\\[probe handling\\]$' subtracts it). After the first 0.3 s the samples so far
      estimate the slowdown of tracing (the command runs once); from 3x on a terminal asks
      while it goes on, and a script stops the command there unless --yes is given or
      'set traceconfirm off'.

      EXAMPLES:
        run ./build/parser big.yaml
        run -F 4999 --name fast -- ./app --flag
        run -n 5 ./build/app input.yaml
        run --env LANG=C --cwd /tmp --timeout 10s make -j2
        run --heatmap ./app
        run --trace '^inner$' --trace 'libc.so.6:^malloc$' ./app
        run --alloc ./app            (then: top --sample-index inuse_space; leaks)
        run --off-cpu ./app          (then: summary; top --sample-index wall)
        run --off-cpu-method bpf ./app  (waits added up in the kernel; info says why)
        run --pprof-endpoint http://127.0.0.1:6060 ./server
                                     (then: compare 1 2, Go's own view)
      """)
  static var shell: CommandSpec {
    CommandSpec(
      group: .capture, arguments: [.file, .file],
      options: [
        "--cwd": .file, "--heatmap-mode": .choices(HeatmapMode.allCases.map(\.rawValue)),
        "--sampler": .choices(["auto"] + SamplerMethod.allCases.map(\.rawValue)),
      ])
  }

  @Option(
    name: [.customShort("n"), .customLong("repeat")],
    help: "Run the command N times into one session (statistics for summary and compare).")
  var repeats: Int = 1

  @Option(
    name: [.customShort("F"), .customLong("freq")], help: "Samples per second per CPU (default: the freq setting, 999)."
  )
  var frequency: Int?

  @Option(help: "Name of the new session (default: the command's name).")
  var name: String?

  @Option(name: .customLong("env"), help: "Set K=V in the command's environment (repeatable).")
  var environment: [String] = []

  @Option(help: "Directory to run the command in.")
  var cwd: String?

  @Option(help: "Stop the command after this long (e.g. 30s, 500ms, 2m): SIGTERM, then SIGKILL 2s later.")
  var timeout: String?

  @Option(
    name: .customLong("call-graph"),
    help:
      "User call chains: fp, dwarf[,BYTES] or auto (stack copies unwound per frame when any of the program's binaries lacks frame pointers)."
  )
  var callGraph = "auto"

  @Flag(help: "After the run, show the heatmap (interactive on a terminal).")
  var heatmap = false

  @Option(name: .customLong("heatmap-mode"), help: "bar, sparkline or table.")
  var heatmapMode: HeatmapMode = .bar

  @Option(
    name: .customLong("trace"),
    help:
      "Trace functions matching this regex (optionally LIB:REGEX) with uprobes: exact Count, self time, Max, P95 (repeatable)."
  )
  var trace: [String] = []

  @Option(name: .customLong("trace-max"), help: "Allow more than 1000 traced functions.")
  var traceMax: Int?

  @Flag(name: .customLong("no-sample"), help: "With --trace: trace only, do not sample.")
  var noSample = false

  @Flag(
    name: .customLong("yes"),
    help:
      "With --trace: go on when the check after the first 0.3s estimates a large slowdown (for scripts; or 'set traceconfirm off')."
  )
  var yes = false

  @Flag(
    help:
      "Also record allocations (malloc, new, …) by preloading perfsh's recorder: heap sample types alloc_objects, alloc_space, inuse_objects, inuse_space."
  )
  var alloc = false

  @Option(
    name: .customLong("alloc-rate"), help: "With --alloc: mean bytes between sampled allocations (default 524288).")
  var allocRate: Int64?

  @Flag(
    name: .customLong("off-cpu"),
    help:
      "Also record where threads wait: the stack at each switch-out and the time until they run again (sample types offcpu and wall = cpu + offcpu; default: the offcpu setting). Views show the critical threads' waits; --all-threads shows every thread's."
  )
  var offCPU = false

  @Option(
    name: .customLong("off-cpu-method"),
    help:
      "How --off-cpu captures (implies it): bpf (added up in the kernel, cheap; frame-pointer user stacks), records (context-switch records, DWARF-unwound stacks) or auto (default: the offcpumethod setting; BPF when the target's stacks are frame-pointer walks either way). info says which ran and why."
  )
  var offCPUMethod: String?

  @Option(
    name: .customLong("sampler"),
    help:
      "How on-CPU time is sampled: cpu (one cpu-clock event per CPU, a BPF filter keeps the target's samples; no timer work at the target's context switches), task (per-task events, inherited) or auto (default: the sampler setting; cpu where BPF and per-CPU events are allowed). info says which ran and why."
  )
  var sampler: String?

  @Option(
    name: .customLong("pprof-endpoint"),
    help:
      "While sampling, fetch the target's own pprof profile from this http:// URL (Go's net/http/pprof; a bare http://HOST:PORT means /debug/pprof/profile?seconds=5) into a second session 'NAME (go pprof)'."
  )
  var pprofEndpoint: String?

  @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
  var command: [String] = []

  func validate() throws {
    if CallGraph(option: callGraph) == nil {
      throw ValidationError("--call-graph takes fp, dwarf, dwarf,BYTES or auto")
    }
    if command.isEmpty { throw ValidationError("name a command to run, e.g. 'run ./app args'") }
    if let first = command.first, first == "-p" || first == "--pid" || first.hasPrefix("--pid=") {
      // perf's `-p PID`: there is no attach yet, so say so rather than "command not found: -p".
      throw ValidationError("run starts a command; to profile a running process use 'attach PID [--duration D]'")
    }
    if repeats < 1 { throw ValidationError("-n takes a number of runs of at least 1, not \(repeats)") }
    for pair in environment where !pair.contains("=") { throw ValidationError("--env takes K=V, not '\(pair)'") }
    if allocRate != nil && !alloc { throw ValidationError("--alloc-rate needs --alloc") }
    if let allocRate, allocRate < 1 { throw ValidationError("--alloc-rate takes a number of bytes of at least 1") }
    if alloc && noSample { throw ValidationError("--alloc keeps CPU sampling: drop --no-sample") }
    if let offCPUMethod, offCPUMethod != "auto" && OffCPUMethod(rawValue: offCPUMethod) == nil {
      throw ValidationError("--off-cpu-method takes bpf, records or auto, not '\(offCPUMethod)'")
    }
    if let sampler, sampler != "auto" && SamplerMethod(rawValue: sampler) == nil {
      throw ValidationError("--sampler takes cpu, task or auto, not '\(sampler)'")
    }
    if sampler != nil && noSample { throw ValidationError("--sampler chooses how to sample: drop --no-sample") }
    if (offCPU || offCPUMethod != nil) && noSample {
      throw ValidationError("--off-cpu keeps CPU sampling: drop --no-sample")
    }
    if trace.isEmpty && (noSample || traceMax != nil || yes) {
      throw ValidationError("--no-sample, --trace-max and --yes need --trace")
    }
    if pprofEndpoint != nil && repeats > 1 { throw ValidationError("--pprof-endpoint fetches during one run: drop -n") }
  }

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    var argv = command
    if argv.first == "--" { argv.removeFirst() }
    guard !argv.isEmpty else { throw .command(.noCommand(command: "run")) }
    var env: [String: String] = [:]
    for pair in environment {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      env[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    let limit = try timeout.map { text throws(ShellError) in try DurationText.parse(text, option: "--timeout") }
    let hz = frequency ?? context.settings.frequency
    let allocation = try alloc ? AllocationRun.request(rate: allocRate, environment: context.environment) : nil
    var request = CaptureRequest(
      arguments: argv, environment: env, workingDirectory: cwd, frequency: hz, timeout: limit,
      callGraph: CallGraph(option: callGraph) ?? .auto, allocation: allocation)
    request.offCPU = offCPU || offCPUMethod != nil || context.settings.offCPU
    request.offCPUOptions.method = OffCPUMethod(rawValue: offCPUMethod ?? context.settings.offCPUMethod)
    request.sampler = SamplerMethod(rawValue: sampler ?? context.settings.sampler)
    context.flush()
    // Kernel symbols and the program's binaries are read while the target runs, so the
    // session is ready sooner after it exits.
    context.symbolizer.prefetchKernelSymbols()
    // The executable is looked up once, here; the capture and the probes use this path.
    request.resolveExecutable()
    if let path = request.executablePath { context.symbolizer.prefetchBinaries(forExecutable: path) }
    let endpoint = try pprofEndpoint.map { text throws(ShellError) in try EndpointDuringRun(url: text) }
    defer { _ = endpoint?.finish() }  // a failed run still stops the fetcher's retries
    var lostRecords: Int64 = 0
    let base = name ?? String(argv[0].split(separator: "/").last ?? Substring(argv[0]))
    // The slowdown check needs samples (the share of CPU in probe handling).
    let check =
      !trace.isEmpty && !noSample && !yes && context.settings["traceconfirm"] != "off"
      ? TraceRunCheck(context: context, name: base) : nil
    let profile = try RepeatedRun.capture(times: repeats, context: context) { _ throws(ShellError) -> Profile in
      // A tracer's events belong to one run: each repetition gets its own (nil without --trace).
      let tracing = try TraceRun.prepare(
        patterns: trace, limit: traceMax, request: request, backend: context.settings.traceBackend)
      var result = try context.captureSymbolized(
        request, companion: tracing?.tracer, sample: !noSample, liveName: base, checkpoint: check?.checkpoint())
      tracing?.attach(to: &result.profile, pid: result.pid, context: context)
      if let stopped = check?.stopped { throw .command(stopped) }
      if let note = check?.note { result.profile.run.notes.append(note) }
      if tracing != nil, !noSample { ProbeHandlingNode.note(collapsing: &result.profile) }
      lostRecords += Int64(clamping: result.lostRecords)
      return result.profile
    }
    let session = context.addSession(profile, name: base, source: .run(command: argv))
    endpoint?.addSession(runName: base, context: context)
    if lostRecords > 0 {
      context.warn("\(lostRecords) records were lost (ring buffer overflow); shares may be skewed: lower -F")
    }
    if heatmap { try HeatmapAfterRun.show(session, mode: heatmapMode, context: context) }
    let status = profile.run.termination?.shellStatus ?? 0
    return CommandStatus(exitStatus: status)
  }
}

/// `--heatmap` after a run: the interactive view on a terminal, else the summary and the table.
enum HeatmapAfterRun {
  static func show(_ session: Session, mode: HeatmapMode, context: ShellContext) throws(ShellError) {
    let profile = ProfileView(names: context.settings.nameStyle).apply(to: session.profile)
    let heatmap = try context.analyze { () throws(AnalysisError) in try Heatmap(profile: profile) }
    if context.inputIsTerminal && context.outputIsTerminal {
      try HeatmapView.run(heatmap: heatmap, session: session, mode: mode, context: context)
      return
    }
    var out = context.out
    SummaryRenderer.write(session.summaryFacts, to: &out)
    out.write("\n")
    HeatmapRenderer.write(heatmap, mode: .table, facts: session.summaryFacts, to: &out, options: context.renderOptions)
    context.err.write("⚠️  No TTY available for interactive visualization. Summary displayed above.\n")
  }
}

extension HeatmapMode: ExpressibleByArgument {}

/// The note `run` leaves in `info`: how long the session took to be ready after the target exited.
extension ShellContext {
  /// One capture of `request`, symbolized, with a note of how long the session took to be
  /// ready after the target exited: what `run`, `run -n` and `bench` do for each run.
  /// While serving, the run shows live under `liveName` (default: the program's name).
  func captureSymbolized(
    _ request: CaptureRequest, companion: (any CaptureCompanion)? = nil, sample: Bool = true,
    liveName: String? = nil, checkpoint: CaptureCheckpoint? = nil
  ) throws(ShellError) -> CaptureResult {
    var result: CaptureResult
    do throws(CaptureError) {
      let name = liveName ?? String(request.arguments.first?.split(separator: "/").last ?? "run")
      let live = serving.map { serving in
        { (p: Profile) in self.publishLive(p, request: request, name: name, to: serving) }
      }
      result = try CommandCapture(unwinding: DWARFUnwinding()).run(
        request, companion: companion, sample: sample, progress: live, checkpoint: checkpoint
      ) { _ in }
    } catch {
      serving?.box.publishLive(id: sessions.nextID, nil)
      throw .commandFailed(error.description, exitStatus: error.exitStatus ?? 1)
    }
    let clock = ContinuousClock()
    let symbolizeStart = clock.now
    symbolizer.symbolize(&result.profile)
    GoStackRoots.trim(&result.profile)
    result.profile.run.notes.append(
      PostProcessing.note(drainNanos: result.finishNanos, symbolize: clock.now - symbolizeStart))
    return result
  }
}

enum PostProcessing {
  static func note(drainNanos: Int64, symbolize: Duration) -> String {
    let (seconds, attoseconds) = symbolize.components
    let symbolizeNanos = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    func ms(_ ns: Int64) -> String { String(format: "%.2fms", Double(ns) / 1e6) }
    return "ready \(ms(drainNanos + symbolizeNanos)) after the target exited "
      + "(drain + convert \(ms(drainNanos)), symbolize \(ms(symbolizeNanos)))"
  }
}

/// Durations typed by people: `30s`, `500ms`, `2m`, `1.5s`, or a plain number of seconds.
enum DurationText {
  static func parse(_ text: String, option: String) throws(ShellError) -> Duration {
    let units: [(String, Double)] = [
      ("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("ns", 1e-9), ("s", 1), ("m", 60), ("h", 3600),
    ]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
      if let v = Double(text.dropLast(suffix.count)), v >= 0, v.isFinite {
        return .nanoseconds(Int64(clampingRounded: v * scale * 1e9))
      }
    }
    if let v = Double(text), v >= 0, v.isFinite { return .nanoseconds(Int64(clampingRounded: v * 1e9)) }
    throw .command(.badDuration(option: option, text: text))
  }
}

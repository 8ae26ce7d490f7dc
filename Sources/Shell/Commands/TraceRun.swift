import Capture
import ProfileModel
import Render
import Symbolize

/// Trace mode of `run` (`--trace PATTERN`): resolves the patterns into probe sites, gives
/// the sampler a uprobe tracer to run alongside, and folds the exact per-call statistics
/// into the new session's profile through `Profile.setCallStatistics` (their one home, which
/// also projects them into `calls/count` + `self/nanoseconds` columns for `export pprof`).
final class TraceRun {
  /// The tracer to hand to `CommandCapture.run`: the ring path or the in-kernel (BPF) path.
  let tracer: any CallTracer
  /// The functions traced, in probe order.
  let sites: [ProbeSite]
  /// True when a Go function could not be decoded and so has an entry probe only.
  let entryOnly: Bool
  /// Which path traces and why.
  let backend: TraceBackend.Choice

  private init(tracer: any CallTracer, sites: [ProbeSite], entryOnly: Bool, backend: TraceBackend.Choice) {
    self.tracer = tracer
    self.sites = sites
    self.entryOnly = entryOnly
    self.backend = backend
  }

  /// The note `info` shows and the run line reads: which path paired the calls and why.
  static func backendNote(_ choice: TraceBackend.Choice) -> String {
    choice.usesBPF
      ? "\(bpfNotePrefix) calls paired and aggregated in the kernel by BPF programs (\(choice.reason))"
      : "trace path ring: every probe hit a ring record paired in perfsh (\(choice.reason))"
  }
  /// How the BPF path's note starts (the run line marks such runs `(bpf)`).
  static let bpfNotePrefix = "trace path bpf:"

  /// A trace plan for `request`'s command, or nil when `patterns` is empty.
  static func prepare(
    patterns: [String], limit: Int?, request: CaptureRequest, backend: TraceBackend = .auto
  ) throws(ShellError) -> TraceRun? {
    guard !patterns.isEmpty else { return nil }
    guard let name = request.arguments.first else { return nil }
    if let executable = request.executablePath {
      return try prepare(patterns: patterns, limit: limit, executable: executable, command: "run", backend: backend)
    }
    // Not resolved: look it up again only to say why (not found, not executable).
    let searchPath =
      request.environment["PATH"]
      ?? SystemInfo.environment().last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
    var executable: String
    do {
      executable = try ExecutableLookup.resolve(
        name, searchPath: searchPath, workingDirectory: request.workingDirectory)
    } catch {
      throw .commandFailed(error.description, exitStatus: error.exitStatus ?? 1)
    }
    if !executable.hasPrefix("/"), let cwd = request.workingDirectory { executable = cwd + "/" + executable }
    return try prepare(patterns: patterns, limit: limit, executable: executable, command: "run", backend: backend)
  }

  /// A trace plan for `executable` (a path; `attach` reads it from /proc/PID/exe), or nil when
  /// `patterns` is empty; `command` names the shell command in errors. `attach` always takes
  /// the ring path (it opens events on threads already running).
  static func prepare(
    patterns: [String], limit: Int?, executable: String, command: String, backend: TraceBackend = .auto
  ) throws(ShellError) -> TraceRun? {
    guard !patterns.isEmpty else { return nil }
    let sites: [ProbeSite]
    do {
      sites = try ProbeSiteResolver(executable: executable).resolve(
        patterns, limit: limit ?? ProbeSiteResolver.defaultLimit)
    } catch {
      throw .command(.traceSetup(command: command, reason: error.description))
    }
    if let duff = sites.first(where: { $0.go != nil && GoProbePlacement.untraceableReason($0.name) != nil }),
      let reason = GoProbePlacement.untraceableReason(duff.name)
    {
      throw .command(.untraceableFunction(name: duff.name, reason: reason))
    }
    // A stack-ABI binary reads the goroutine from %fs in every checked function; in a register-ABI
    // binary only some assembly functions do, so one such site says nothing about the binary.
    let checked = sites.filter { $0.go.map { !$0.reason.hasPrefix("no stack check") } ?? false }
    if !checked.isEmpty, checked.allSatisfy({ $0.go?.usesStackABI == true }), let old = checked.first {
      throw .command(.goTooOldToTrace(path: old.path))
    }
    let probes = sites.map(TraceRun.probe(for:))
    let scheduler = TraceRun.goScheduler(for: sites)
    let choice =
      command == "attach"
      ? TraceBackend.Choice(usesBPF: false, reason: "attach opens its events on threads already running")
      : try backend.choose(
        availability: BPFSupport.availability, unsupported: BPFCallTracer.unsupportedReason(probes),
        needsRecords: nil, command: command)
    if choice.usesBPF {
      // The BPF path measures its own per-call cost before the target starts and takes it
      // out of every call in the kernel.
      do {
        let tracer = try BPFCallTracer(probes: probes, calibrate: true)
        return TraceRun(tracer: tracer, sites: sites, entryOnly: false, backend: choice)
      } catch {
        throw .command(.traceSetup(command: command, reason: error.description))
      }
    }
    // The probes' own cost is measured on this machine while the target runs and taken
    // out of every timed call.
    do {
      // Go hits are larger (registers) and RET probes many: a bigger ring per CPU.
      let tracer = try UprobeTracer(
        probes: probes, ringDataPages: scheduler == nil ? 256 : 2048,
        calibrateDuringRun: probes.contains(where: \.hasReturns),
        goScheduler: scheduler)
      return TraceRun(
        tracer: tracer, sites: sites, entryOnly: sites.contains { $0.isGo && $0.go == nil }, backend: choice)
    } catch {
      throw .command(.traceSetup(command: command, reason: error.description))
    }
  }

  /// The probes of one site. uretprobes rewrite return addresses, which Go's stack copying
  /// and tracebacks check, so Go functions get a probe on every `RET` (and tail jump) instead.
  static func probe(for site: ProbeSite) -> TraceProbe {
    guard site.isGo else { return TraceProbe(path: site.path, fileOffset: site.probeFileOffset, probesReturns: true) }
    guard let go = site.go else {
      return TraceProbe(path: site.path, fileOffset: site.probeFileOffset, probesReturns: false)
    }
    return TraceProbe(
      path: site.path, fileOffset: site.probeFileOffset, probesReturns: false,
      returnOffsets: go.returnOffsets.map { site.fileOffset + $0 },
      exitOffsets: go.exitOffsets.map { site.fileOffset + $0 },
      restartOffsets: go.restartOffsets.map { site.fileOffset + $0 }, readsGoroutine: true)
  }

  /// Go's `runtime.execute` in the traced Go executable (where a thread starts running a
  /// goroutine), for goroutines' CPU time; nil when nothing Go is traced or it is not found.
  static func goScheduler(for sites: [ProbeSite]) -> GoSchedulerProbe? {
    guard let go = sites.first(where: { $0.go != nil }),
      let found = try? ProbeSiteResolver.functions(in: go.path).first(where: { $0.name == "runtime.execute" })
    else { return nil }
    // On the stack check's (emulated) branch when it has one: only the compare before it, so
    // AX still holds the goroutine; a restart there only starts the same stint again.
    let execute = ProbeSiteResolver.placed([found])[0]
    let onCheck = execute.go.map { !$0.restartOffsets.isEmpty } ?? false
    return GoSchedulerProbe(path: execute.path, fileOffset: onCheck ? execute.probeFileOffset : execute.fileOffset)
  }

  /// Adds the traced statistics to `profile` (already symbolized), with run notes and
  /// warnings for entry-only probes, unmatched entries/returns and lost records. `pid` (the
  /// target's, 0 when unknown) is the process the kept single calls are written under.
  func attach(to profile: inout Profile, pid: Int32 = 0, context: ShellContext) {
    let result = tracer.result()
    if let problem = (tracer as? BPFCallTracer)?.readProblem { context.warn(problem) }
    tracer.releaseInBackground()
    var byName: [String: FunctionID] = [:]
    for i in profile.functions.indices where byName[profile.name(of: FunctionID(i))] == nil {
      byName[profile.name(of: FunctionID(i))] = FunctionID(i)
    }
    var builder = ProfileBuilder(profile)
    var parts: [FunctionID: [CallStatistics]] = [:]
    var probeFunctions: [FunctionID] = []
    for (site, stats) in zip(sites, result.statistics) {
      let id = byName[site.name] ?? builder.function(site.name, systemName: site.rawName, file: "")
      byName[site.name] = id
      parts[id, default: []].append(stats)
      probeFunctions.append(id)
    }
    profile = builder.build()
    // Two probe sites of one name (e.g. static functions of two files) share a function.
    profile.setCallStatistics(parts.compactMapValues { CallStatistics.merged($0) })
    profile.callEvents = result.callLog?.mapped(probeFunctions).withProcess(Int64(pid))
    let calls = result.statistics.reduce(Int64(0)) { $0 + $1.calls }
    profile.run.notes.append("traced \(sites.count) functions with uprobes: \(calls) calls")
    profile.run.notes.append(TraceRun.backendNote(backend))
    profile.run.notes += TraceRun.placementNotes(sites)
    let probeCost = result.probeCost
    if !probeCost.isZero {
      profile.run.notes.append(
        "probe cost \(DurationFormat.string(nanoseconds: probeCost.perCallNanos)) per traced call measured "
          + (backend.usesBPF ? "on the BPF path before the run " : "during the run ")
          + "(\(DurationFormat.string(nanoseconds: probeCost.insideNanos)) inside the call, "
          + "\(DurationFormat.string(nanoseconds: probeCost.outsideNanos)) in its caller) and subtracted; --raw shows times without"
      )
    }
    let dearer = sites.filter { $0.placement.map { $0.kind != .emulated && $0.kind != .unknown } ?? false }.map(\.name)
    if !probeCost.isZero, !dearer.isEmpty {
      let names = dearer.prefix(5).joined(separator: ", ") + (dearer.count > 5 ? " and \(dearer.count - 5) more" : "")
      profile.run.notes.append(
        "entry probe single-stepped (no emulated instruction runs exactly once at their start) in \(names): "
          + "a single-step costs more than the calibrated probe, and the extra stays in their self time")
    }
    if result.stolenNanos > 0 {
      profile.run.notes.append(
        "the host of this virtual machine kept the traced calls from running for "
          + "\(DurationFormat.string(nanoseconds: result.stolenNanos)) (steal time); not counted as their CPU time, "
          + "as the threads' own CPU clocks do not count it")
    }
    if let calibrationProblem = result.calibrationProblem {
      profile.run.notes.append("probe cost not subtracted: calibration failed: \(calibrationProblem)")
      context.warn("probe cost not subtracted: calibration failed: \(calibrationProblem)")
    }
    if entryOnly {
      profile.run.notes.append(
        "Go binary: entry probes only where the code could not be decoded (return probes would break Go's moving stacks); "
          + "Count is exact, durations are absent there")
    }
    if sites.contains(where: { $0.go != nil }) {
      profile.run.notes.append(
        "Go: entry probes on or after the stack check (morestack restarts not counted), a probe on every RET (no return probes); calls paired per goroutine "
          + "(g from R14); CPU time = the goroutine's time on threads (from Go's scheduler handing it a thread to the "
          + "next hand-over, minus time the thread was switched out), wall time = entry to RET whatever the goroutine did"
      )
    }
    let unmatched = result.statistics.reduce(Int64(0)) { $0 + $1.unmatchedEntries }
    if unmatched > 0 || result.unmatchedReturns > 0 {
      let note =
        "\(unmatched) traced calls never returned (longjmp, exceptions, panics, tail jumps, thread exit) and "
        + "\(result.unmatchedReturns) returns had no entry; they are counted apart, not in the numbers"
      profile.run.notes.append(note)
      context.warn(note)
    }
    if result.lostRecords > 0 {
      profile.run.lostRecords += Int64(clamping: result.lostRecords)
      context.warn("\(result.lostRecords) trace records were lost (ring buffer overflow): counts are incomplete")
    }
    // Trace records that could not be decoded are a loss too: `info`, the run line and `summary` show them.
    profile.run.unparsedRecords = profile.run.unparsedRecords.addingSaturating(Int64(clamping: result.unparsedRecords))
  }

  /// Where each function's probes were placed and why (a summary past 20 functions).
  static func placementNotes(_ sites: [ProbeSite], limit: Int = 20) -> [String] {
    var notes: [String] = []
    var kinds: [String: Int] = [:]
    for site in sites {
      guard let p = site.placement else { continue }
      kinds[p.kind.rawValue, default: 0] += 1
      if notes.count < limit {
        let at = p.instruction.isEmpty ? "" : " on '\(p.instruction)' (\(p.kind.rawValue))"
        notes.append("probe \(site.name) at +\(p.offset)\(at): \(p.reason)")
      }
    }
    if sites.count > limit {
      let summary = kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
      notes.append("probes of \(sites.count) functions: \(summary) (the first \(limit) listed above)")
    }
    return notes
  }

  /// `profile` with its traced numbers in `clock` (raw when asked), re-projected into the
  /// samples that carry them (what `export pprof` writes). Unchanged when nothing was traced.
  static func viewed(_ profile: Profile, clock: CallClock, raw: Bool) -> Profile {
    profile.viewingCalls(in: clock, raw: raw)
  }
}

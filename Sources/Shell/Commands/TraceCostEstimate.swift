import Capture
import ProfileModel
import Render

/// How much slower tracing will make a command, from a short sampled trial: the command runs
/// under the chosen probes for at most `trialSeconds` (then it is stopped) with CPU sampling,
/// and the share of its CPU samples spent handling probes (the kernel's uprobe trap, single
/// step and return trampoline) gives the slowdown: traced CPU / untraced CPU ≥ 1 / (1 − share),
/// a lower bound since probes also slow the code between them. A trial that runs the whole
/// command measures it exactly (its CPU time against the sampled session's).
struct TraceCostEstimate: Equatable {
  /// Traced calls seen in the trial.
  var calls: Int64
  /// Share (0…1) of the trial's CPU samples in probe handling.
  var probeShare: Double
  /// CPU time of the trial, in nanoseconds.
  var trialCPUNanos: Int64
  /// Whether the trial ran the command to its end (then `exactSlowdown` is known).
  var completed: Bool
  /// The CPU time of the untraced (sampled) session, in nanoseconds; 0 when unknown.
  var untracedCPUNanos: Int64
  /// Whether the trial is the first part of the traced run itself (`run --trace`), whose
  /// calls are not counted until it ends.
  var firstPartOfRun = false

  /// How long the trial may run.
  static let trialSeconds = 0.3
  /// From this estimated slowdown on, trace-top asks (or, in a script, stops without `--yes`).
  static let confirmAbove = 3.0
  /// Share of time in probes at which the lower bound stops growing (20×).
  private static let saturation = 0.95

  /// The estimated slowdown factor (≥ 1): exact for a completed trial, else the lower bound.
  var slowdown: Double {
    if completed, untracedCPUNanos > 0 { return max(1, Double(trialCPUNanos) / Double(untracedCPUNanos)) }
    return 1 / (1 - min(probeShare, Self.saturation))
  }

  /// Whether `slowdown` is only a lower bound.
  var isLowerBound: Bool { !(completed && untracedCPUNanos > 0) }

  /// Probe-handling CPU per traced call in the trial, in nanoseconds (0 without calls).
  var perCallNanos: Int64 {
    calls > 0 ? Int64(Double(trialCPUNanos) * probeShare / Double(calls)) : 0
  }

  /// "about 4.2× slower (~16.1s of CPU instead of 3.8s)" or "at least 20× slower (…)".
  func slowdownText() -> String {
    let factor = slowdown
    let x = factor >= 10 ? String(Int(factor.rounded())) : String((factor * 10).rounded() / 10)
    var text = (isLowerBound ? "at least \(x)× slower" : "about \(x)× slower")
    if untracedCPUNanos > 0 {
      let traced = Int64(min(Double(untracedCPUNanos) * factor, 9e18))
      text +=
        " (\(isLowerBound ? "over " : "~")\(DurationFormat.string(nanoseconds: traced)) of CPU instead of "
        + "\(DurationFormat.string(nanoseconds: untracedCPUNanos)))"
    }
    return text
  }

  /// What the estimate rests on: calls, the probe share and the cost per call.
  var basisText: String {
    let share = Int((probeShare * 100).rounded())
    if firstPartOfRun { return "\(share)% of the CPU of the run's first \(Self.trialSeconds)s in probe handling" }
    var text =
      "\(calls) traced calls in a \(completed ? "complete" : "\(Self.trialSeconds)s") trial run, \(share)% of its CPU in probe handling"
    if calls > 0 { text += " (\(DurationFormat.string(nanoseconds: perCallNanos)) per call)" }
    return text
  }

  /// Runs the trial of `request` with `patterns` traced and sampled, and estimates.
  static func measure(
    patterns: [String], request: CaptureRequest, untracedCPUNanos: Int64, context: ShellContext
  ) throws(ShellError) -> TraceCostEstimate {
    var trial = request
    trial.timeout = .milliseconds(Int64(trialSeconds * 1000))
    trial.killGrace = .milliseconds(100)
    guard
      let tracing = try TraceRun.prepare(
        patterns: patterns, limit: nil, request: trial, backend: context.settings.traceBackend)
    else {
      return TraceCostEstimate(
        calls: 0, probeShare: 0, trialCPUNanos: 0, completed: true, untracedCPUNanos: untracedCPUNanos)
    }
    let capture: CaptureResult
    do throws(ShellError) {
      capture = try context.captureSymbolized(trial, companion: tracing.tracer, sample: true)
    } catch {
      tracing.tracer.release()
      throw error
    }
    let result = tracing.tracer.result()
    tracing.tracer.release()
    let profile = capture.profile
    return TraceCostEstimate(
      calls: result.statistics.reduce(Int64(0)) { $0 + $1.calls }, probeShare: probeHandlingShare(profile),
      trialCPUNanos: profile.run.cpuNanos ?? 0, completed: !profile.run.interrupted, untracedCPUNanos: untracedCPUNanos)
  }

  /// Share of `profile`'s samples (by the default value) whose stack is in probe handling: a
  /// kernel frame of the uprobe trap, its single step or its return trampoline, or a user
  /// frame in the `[uprobes]` page.
  static func probeHandlingShare(_ profile: Profile) -> Double {
    var probeFunction = Set<Int>()
    for (i, f) in profile.functions.enumerated() where isProbeHandling(profile.strings[f.name]) {
      probeFunction.insert(i)
    }
    var probeLocation = [Bool](repeating: false, count: profile.locations.count)
    for (i, l) in profile.locations.enumerated() {
      if l.lines.contains(where: { probeFunction.contains($0.function.index) }) { probeLocation[i] = true }
      if let m = l.mapping, profile.strings[profile.mapping(m).filename] == "[uprobes]" { probeLocation[i] = true }
    }
    let column = profile.defaultValueIndex
    var total: Int64 = 0
    var probes: Int64 = 0
    for i in 0..<profile.samples.count {
      let v = profile.samples.value(i, column)
      total += v
      if profile.stacks.frames(leafFirst: profile.samples.stacks[i]).contains(where: { probeLocation[$0.index] }) {
        probes += v
      }
    }
    return total > 0 ? Double(probes) / Double(total) : 0
  }

  /// Kernel functions of uprobe handling on x86-64 (trap, single step, return trampoline).
  static func isProbeHandling(_ name: String) -> Bool {
    let base = name.hasSuffix(" [k]") ? String(name.dropLast(4)) : name
    return base == ProbeHandlingNode.name || base.contains("uprobe") || base.contains("uretprobe")
      || ["asm_exc_int3", "exc_int3", "asm_exc_debug", "exc_debug_user", "handle_swbp"].contains(base)
  }
}

/// Whether to go on with an expensive trace: `--yes` or the `traceconfirm off` setting go
/// on; a terminal asks y/N; a script stops (it cannot answer) and says how to go on.
enum TraceConfirmation: Equatable {
  case proceed
  case ask
  case refuse

  static func decide(estimate: TraceCostEstimate, yes: Bool, confirmSetting: Bool, interactive: Bool)
    -> TraceConfirmation
  {
    if yes || !confirmSetting || estimate.slowdown < TraceCostEstimate.confirmAbove { return .proceed }
    return interactive ? .ask : .refuse
  }
}

/// `run --trace`'s slowdown check, made on the run itself so the command runs once (a trial
/// run first, as trace-top makes, would repeat a command's side effects): `after` the first
/// `TraceCostEstimate.trialSeconds`, the samples so far give the share of CPU in probe handling;
/// from `confirmAbove` on a terminal asks while the command goes on, a script stops the command
/// there (SIGTERM) and the run fails without a session unless `--yes` or `set traceconfirm off`.
final class TraceRunCheck {
  /// Why the run was stopped at the check; nil while it goes on.
  private(set) var stopped: CommandFailure?
  /// The estimate made, once made.
  private(set) var estimate: TraceCostEstimate?
  private let context: ShellContext
  private let name: String

  init(context: ShellContext, name: String) {
    self.context = context
    self.name = name
  }

  /// The checkpoint for the next capture; nil once a run has passed it (`run -n` asks once).
  func checkpoint() -> CaptureCheckpoint? {
    guard estimate == nil else { return nil }
    return CaptureCheckpoint(after: .milliseconds(Int64(TraceCostEstimate.trialSeconds * 1000))) { [self] partial in
      proceed(partial)
    }
  }

  private func proceed(_ partial: Profile) -> Bool {
    var profile = partial
    context.symbolizer.symbolize(&profile)
    let estimate = TraceCostEstimate(
      calls: 0, probeShare: TraceCostEstimate.probeHandlingShare(profile), trialCPUNanos: 0, completed: false,
      untracedCPUNanos: 0, firstPartOfRun: true)
    self.estimate = estimate
    let what = "run: tracing is estimated to make \(name) \(estimate.slowdownText()): \(estimate.basisText)"
    switch TraceConfirmation.decide(
      estimate: estimate, yes: false, confirmSetting: true,
      interactive: context.inputIsTerminal && context.outputIsTerminal)
    {
    case .proceed:
      return true
    case .refuse:
      stopped = .traceNotConfirmed(estimate: what + "; stopped it there")
      return false
    case .ask:
      context.err.write("perfsh: " + what + " (it keeps running)\nProceed? [y/N] ")
      context.err.flush()
      let answer = readLine(strippingNewline: true)?.lowercased() ?? ""
      guard answer == "y" || answer == "yes" else {
        stopped = .traceRunDeclined(program: name, seconds: "\(TraceCostEstimate.trialSeconds)")
        return false
      }
      return true
    }
  }

  /// The note a traced session keeps about the check.
  var note: String? {
    estimate.map {
      "slowdown check after the first \(TraceCostEstimate.trialSeconds)s: \($0.slowdownText()) (\($0.basisText))"
    }
  }
}

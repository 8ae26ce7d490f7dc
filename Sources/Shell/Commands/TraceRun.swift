import Capture
import ProfileModel
import Render
import Symbolize

/// Trace mode of `run` (`--trace PATTERN`): resolves the patterns into probe sites, gives
/// the sampler a uprobe tracer to run alongside, and folds the exact per-call statistics
/// into the new session's profile (as `callStatistics` and as `calls/count` +
/// `self/nanoseconds` value columns, so `export pprof` carries them).
final class TraceRun {
  /// The tracer to hand to `CPUSampler.run`.
  let tracer: UprobeTracer
  /// The functions traced, in probe order.
  let sites: [ProbeSite]
  /// True when the executable is a Go binary (entry probes only).
  let entryOnly: Bool

  private init(tracer: UprobeTracer, sites: [ProbeSite], entryOnly: Bool) {
    self.tracer = tracer
    self.sites = sites
    self.entryOnly = entryOnly
  }

  /// A trace plan for `request`'s command, or nil when `patterns` is empty.
  static func prepare(patterns: [String], limit: Int?, request: CaptureRequest) throws(ShellError) -> TraceRun? {
    guard !patterns.isEmpty else { return nil }
    guard let name = request.arguments.first else { return nil }
    let searchPath = request.environment["PATH"]
      ?? SystemInfo.environment().last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
    var executable: String
    do {
      executable = try ExecutableLookup.resolve(name, searchPath: searchPath, workingDirectory: request.workingDirectory)
    } catch {
      throw .commandFailed(error.description, exitStatus: error.exitStatus ?? 1)
    }
    if !executable.hasPrefix("/"), let cwd = request.workingDirectory { executable = cwd + "/" + executable }
    return try prepare(patterns: patterns, limit: limit, executable: executable, command: "run")
  }

  /// A trace plan for `executable` (a path; `attach` reads it from /proc/PID/exe), or nil when
  /// `patterns` is empty; `command` names the shell command in errors.
  static func prepare(patterns: [String], limit: Int?, executable: String, command: String) throws(ShellError) -> TraceRun? {
    guard !patterns.isEmpty else { return nil }
    let sites: [ProbeSite]
    do {
      sites = try ProbeSiteResolver(executable: executable).resolve(patterns, limit: limit ?? ProbeSiteResolver.defaultLimit)
    } catch {
      throw .failed("\(command): " + error.description)
    }
    // uretprobes rewrite return addresses; Go moves stacks and checks them, so never there.
    let probes = sites.map { TraceProbe(path: $0.path, fileOffset: $0.probeFileOffset, probesReturns: !$0.isGo) }
    // The probes' own cost is measured on this machine while the target runs and taken
    // out of every timed call.
    do {
      let tracer = try UprobeTracer(probes: probes, calibrateDuringRun: probes.contains(where: \.probesReturns))
      return TraceRun(tracer: tracer, sites: sites, entryOnly: sites.contains { $0.isGo })
    } catch {
      throw .failed("\(command): " + error.description)
    }
  }

  /// Adds the traced statistics to `profile` (already symbolized), with run notes and
  /// warnings for entry-only probes, unmatched entries/returns and lost records.
  func attach(to profile: inout Profile, context: ShellContext) {
    let result = tracer.result()
    tracer.release()
    var byName: [String: FunctionID] = [:]
    for i in profile.functions.indices where byName[profile.name(of: FunctionID(i))] == nil {
      byName[profile.name(of: FunctionID(i))] = FunctionID(i)
    }
    let keptDefault = profile.defaultValueIndex
    TraceRun.widen(&profile, by: [ValueType(type: "calls", unit: "count"), ValueType(type: "self", unit: "nanoseconds")])
    profile.defaultSampleType = keptDefault
    var builder = ProfileBuilder(profile)
    var statistics: [FunctionID: CallStatistics] = [:]
    let width = builder.profile.sampleTypes.count
    for (site, stats) in zip(sites, result.statistics) {
      let id = byName[site.name] ?? builder.function(site.name, systemName: site.rawName, file: "")
      statistics[id] = stats
      var values = Array(repeating: Int64(0), count: width)
      values[width - 2] = stats.calls
      values[width - 1] = stats.hasDurations ? stats.selfNanos : 0
      builder.addSample(leafFirst: [builder.location(function: id)], values: values)
    }
    profile = builder.build()
    profile.callStatistics = statistics
    let calls = result.statistics.reduce(Int64(0)) { $0 + $1.calls }
    profile.run.notes.append("traced \(sites.count) functions with uprobes: \(calls) calls")
    profile.run.notes += TraceRun.placementNotes(sites)
    let probeCost = result.probeCost
    if !probeCost.isZero {
      profile.run.notes.append(
        "probe cost \(DurationFormat.string(nanoseconds: probeCost.perCallNanos)) per traced call measured during the run "
          + "(\(DurationFormat.string(nanoseconds: probeCost.insideNanos)) inside the call, "
          + "\(DurationFormat.string(nanoseconds: probeCost.outsideNanos)) in its caller) and subtracted; --raw shows times without")
    }
    if let calibrationProblem = result.calibrationProblem {
      profile.run.notes.append("probe cost not subtracted: calibration failed: \(calibrationProblem)")
      context.warn("probe cost not subtracted: calibration failed: \(calibrationProblem)")
    }
    if entryOnly {
      profile.run.notes.append(
        "Go binary: entry probes only (return probes would break Go's moving stacks); Count is exact, durations are absent")
    }
    let unmatched = result.statistics.reduce(Int64(0)) { $0 + $1.unmatchedEntries }
    if unmatched > 0 || result.unmatchedReturns > 0 {
      let note = "\(unmatched) traced calls never returned (longjmp, exceptions, thread exit) and "
        + "\(result.unmatchedReturns) returns had no entry; they are counted apart, not in the numbers"
      profile.run.notes.append(note)
      context.warn(note)
    }
    if result.lostRecords > 0 {
      profile.run.lostRecords += Int64(clamping: result.lostRecords)
      context.warn("\(result.lostRecords) trace records were lost (ring buffer overflow): counts are incomplete")
    }
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

  /// `profile` with its traced numbers in `clock` (raw when asked): the call statistics and
  /// the `self/nanoseconds` column of the one-frame samples that carry them (what `export
  /// pprof` writes). Unchanged when nothing was traced.
  static func viewed(_ profile: Profile, clock: CallClock, raw: Bool) -> Profile {
    guard !profile.callStatistics.isEmpty, clock != .cpu || raw else { return profile }
    var p = profile
    let selfColumn = p.sampleTypes.lastIndex { $0.type == "self" && $0.unit == "nanoseconds" }
    let callsColumn = p.sampleTypes.lastIndex { $0.type == "calls" && $0.unit == "count" }
    var viewed: [FunctionID: CallStatistics] = [:]
    for (id, stats) in p.callStatistics { viewed[id] = stats.viewed(clock, raw: raw) }
    if let selfColumn, let callsColumn {
      for i in 0..<p.samples.count where p.samples.value(i, callsColumn) > 0 {
        let stack = p.samples.stacks[i]
        guard p.stacks.depth(of: stack) == 1, let line = p.location(p.stacks.location(of: stack)).lines.last,
          let old = p.callStatistics[line.function], let new = viewed[line.function], old.hasDurations,
          p.samples.value(i, selfColumn) == old.selfNanos
        else { continue }
        p.samples.add(new.selfNanos - old.selfNanos, toSample: i, column: selfColumn)
      }
    }
    p.callStatistics = viewed
    return p
  }

  /// Appends value columns to every sample (zeros), keeping stacks and labels.
  static func widen(_ profile: inout Profile, by types: [ValueType]) {
    let old = profile.samples
    var table = SampleTable(width: old.width + types.count)
    table.reserveCapacity(old.count + 64)
    let zeros = Array(repeating: Int64(0), count: types.count)
    for i in 0..<old.count {
      table.append(stack: old.stacks[i], values: Array(old.values(of: i)) + zeros, labels: old.labelSets[i])
    }
    profile.samples = table
    profile.sampleTypes += types
  }
}

import Analysis
import ProfileModel
import Render

/// `run -n N`: captures a command N times into one profile that sums the samples of every
/// run and keeps each run's own numbers in `Profile.repeats` for statistics.
enum RepeatedRun {
  /// Runs `once` up to `times` times (stopping early when a run fails or is interrupted)
  /// and returns the merged profile. `once` gets the 1-based run number.
  static func capture(
    times: Int, context: ShellContext, once: (Int) throws(ShellError) -> Profile
  ) throws(ShellError) -> Profile {
    var merger: RepeatMerger?
    for i in 1...times {
      let profile = try once(i)
      // One run is its own session: nothing to merge, and its per-run numbers would be thrown
      // away (a tenth of `perfsh run`'s work after the target exits).
      if times == 1 { return profile }
      let repeatInfo = try context.analyze { () throws(AnalysisError) in try RepeatMerger.repeatInfo(of: profile) }
      if times > 1 {
        context.err.write("perfsh: run \(i)/\(times): \(describe(repeatInfo))\n")
        context.err.flush()
      }
      if merger == nil {
        merger = RepeatMerger(first: profile, info: repeatInfo)
      } else {
        do {
          try merger?.append(profile, info: repeatInfo)
        } catch {
          throw .repeatedRun(error)
        }
      }
      let failed = (profile.run.termination?.shellStatus ?? 0) != 0
      if profile.run.interrupted || failed {
        if i < times {
          context.warn("run -n: stopped after run \(i) of \(times) (\(failed ? "the command failed" : "interrupted"))")
        }
        break
      }
    }
    guard let merger else { throw .noRunCaptured }
    return merger.finish()
  }

  private static func describe(_ r: RunRepeat) -> String {
    var parts: [String] = []
    if let e = r.elapsedNanos { parts.append("elapsed \(DurationFormat.string(nanoseconds: e))") }
    if let c = r.cpuNanos { parts.append("cpu \(DurationFormat.string(nanoseconds: c))") }
    if let t = r.termination { parts.append("exit \(t)") }
    return parts.joined(separator: "  ")
  }
}

/// Why two runs' profiles cannot be merged.
public enum RepeatMergeError: Error, Equatable, CustomStringConvertible {
  case differentTypes(first: [ValueType], other: [ValueType])
  /// The runs' values together would break the model's value rule (`ValueLimit`).
  case valuesPastLimit(ValueType)

  public var description: String {
    switch self {
    case .differentTypes(let first, let other):
      return
        "runs measured different things (\(first.map(\.description).joined(separator: ", ")) vs \(other.map(\.description).joined(separator: ", ")))"
    case .valuesPastLimit(let type):
      return "the runs' \(type) values add up to \(ValueLimit.columnMagnitudeText) or more; merge fewer runs"
    }
  }
}

/// Sums the samples of several profiles of the same command into one, re-interning every
/// table, and collects each run's `RunRepeat`.
struct RepeatMerger {
  private var builder: ProfileBuilder
  private var repeats: [RunRepeat]

  init(first: Profile, info: RunRepeat) {
    builder = ProfileBuilder(first)
    repeats = [info]
  }

  /// One run's own numbers (its call statistics keyed by its own function ids until
  /// `append` maps them into the merged profile).
  static func repeatInfo(of profile: Profile) throws(AnalysisError) -> RunRepeat {
    let times = try FunctionTimes(profile: profile)
    return RunRepeat(
      elapsedNanos: profile.run.elapsedNanos, cpuNanos: profile.run.cpuNanos,
      selfNanos: times.selfValue, cumNanos: times.cumValue,
      callStatistics: profile.callStatistics, termination: profile.run.termination)
  }

  /// Adds another run's samples, stacks and call statistics.
  mutating func append(_ other: Profile, info: RunRepeat) throws(RepeatMergeError) {
    let first = builder.profile.sampleTypes
    guard other.sampleTypes == first else { throw .differentTypes(first: first, other: other.sampleTypes) }
    func string(_ id: StringID) -> StringID { builder.intern(other.string(id)) }
    var mappingMap: [MappingID] = []
    for m in other.mappings {
      var copy = m
      copy.filename = string(m.filename)
      copy.buildID = string(m.buildID)
      mappingMap.append(builder.mapping(copy))
    }
    var functionMap: [FunctionID] = []
    for f in other.functions {
      functionMap.append(
        builder.function(
          Function(
            name: string(f.name), systemName: string(f.systemName), filename: string(f.filename), startLine: f.startLine
          )))
    }
    var locationMap: [LocationID] = []
    for l in other.locations {
      let lines = l.lines.map { Line(function: functionMap[$0.function.index], line: $0.line, column: $0.column) }
      locationMap.append(
        builder.location(
          Location(
            address: l.address, mapping: l.mapping.map { mappingMap[$0.index] }, lines: lines, isFolded: l.isFolded)))
    }
    // Stack nodes are created after their parents, so one forward pass maps every node.
    var stackMap = [StackID](repeating: .root, count: other.stacks.count)
    builder.withProfile { p in
      for node in 1..<max(1, other.stacks.count) {
        let id = StackID(node)
        let parent = stackMap[other.stacks.parent(of: id).index]
        stackMap[node] = p.stacks.child(of: parent, location: locationMap[other.stacks.location(of: id).index])
      }
    }
    // Label sets are mapped once each, so the per-sample loop allocates nothing.
    var labelSetMap: [LabelSetID] = []
    for set in other.labelSets.sets {
      let labels = set.map { l in
        Label(key: string(l.key), string: string(l.string), number: l.number, numberUnit: string(l.numberUnit))
      }
      labelSetMap.append(labels.isEmpty ? .none : builder.withProfile { $0.labelSets.intern(labels) })
    }
    // Each run keeps the value rule; their sum must too, or analysis could overflow.
    var combined = Array(builder.profile.samples.values)
    combined.append(contentsOf: other.samples.values)
    if let column = ValueLimit.firstColumnPastLimit(combined, width: other.samples.width) {
      throw .valuesPastLimit(first[column])
    }
    builder.withProfile { p in
      p.samples.reserveCapacity(p.samples.count + other.samples.count)
      for i in 0..<other.samples.count {
        p.samples.append(
          stack: stackMap[other.samples.stacks[i].index], values: other.samples.values(of: i),
          labels: labelSetMap[other.samples.labelSets[i].index])
      }
    }
    var mapped = info
    mapped.callStatistics = [:]
    for (id, stats) in info.callStatistics where functionMap.indices.contains(id.index) {
      mapped.callStatistics[functionMap[id.index]] = stats
    }
    repeats.append(mapped)
    builder.withProfile { p in
      // Runs are overlaid on their own (normalized) time; a run without a timeline leaves none.
      if let other = other.timeline, p.timeline != nil {
        p.timeline?.overlay(other) { locationMap.indices.contains($0.index) ? locationMap[$0.index] : nil }
      } else {
        p.timeline = nil
      }
      p.run.lostRecords = p.run.lostRecords.addingSaturating(other.run.lostRecords)
      p.run.unparsedRecords = p.run.unparsedRecords.addingSaturating(other.run.unparsedRecords)
      if let a = other.run.allocations { p.run.allocations = p.run.allocations.map { $0.merged(with: a) } ?? a }
      p.run.interrupted = p.run.interrupted || other.run.interrupted
      if (p.run.termination?.shellStatus ?? 0) == 0 { p.run.termination = other.run.termination }
      p.durationNanos = p.durationNanos.addingSaturating(other.durationNanos)
    }
  }

  /// The merged profile: samples summed, elapsed and CPU the means per run, call statistics
  /// the runs' added up by `CallStatistics.merged` (the one rule), every repeat kept.
  func finish() -> Profile {
    var p = builder.build()
    let n = repeats.count
    guard n > 1 else { return p }
    p.repeats = repeats
    let elapsed = repeats.compactMap(\.elapsedNanos)
    if elapsed.count == n { p.run.elapsedNanos = Self.mean(elapsed) }
    let cpu = repeats.compactMap(\.cpuNanos)
    if cpu.count == n { p.run.cpuNanos = Self.mean(cpu) }
    var runs: [FunctionID: [CallStatistics]] = [:]
    for r in repeats { for (id, stats) in r.callStatistics { runs[id, default: []].append(stats) } }
    p.callStatistics = runs.compactMapValues { CallStatistics.merged($0) }
    p.run.notes.append("\(n) repeats: samples and calls are summed over all runs; elapsed and cpu are means per run")
    return p
  }

  /// The mean of per-run nanoseconds (integer division), summed with saturation so no run
  /// count can trap.
  static func mean(_ values: [Int64]) -> Int64 {
    guard !values.isEmpty else { return 0 }
    return values.reduce(0) { $0.addingSaturating($1) } / Int64(values.count)
  }
}

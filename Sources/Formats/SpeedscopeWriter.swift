import ProfileModel

/// Writes a profile in speedscope's file format (https://www.speedscope.app/file-format-schema.json):
/// `shared.frames` holds one frame per function, then one `sampled` profile per thread (by the
/// samples' `pid`/`tid` labels) whose weights are the session's default value column in its unit,
/// and, when single traced calls were kept, one `evented` profile per thread in nanoseconds.
///
/// Consecutive samples with the same stack on one thread are merged (weights added), so the
/// order speedscope's Time Order view shows is kept while the file stays small.
public enum SpeedscopeWriter {
  /// The schema URL every speedscope file names.
  public static let schema = "https://www.speedscope.app/file-format-schema.json"

  /// The speedscope unit for a pprof unit ("count" and unknown units are "none").
  public static func unit(for pprofUnit: String) -> String {
    switch pprofUnit {
    case "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes": return pprofUnit
    default: return "none"
    }
  }

  /// What `write` produced besides the text.
  public struct Summary: Sendable, Equatable {
    /// Sampled profiles (threads) written.
    public var sampledProfiles: Int
    /// Evented profiles written (threads with kept calls).
    public var eventedProfiles: Int
    /// Sum of all sampled weights (equals the session's total of its default column).
    public var totalWeight: Int64
  }

  /// The speedscope JSON of `profile`, named `name`; `exporter` names the writing program.
  public static func write(_ profile: Profile, name: String, exporter: String = "perfsh") -> (
    text: String, summary: Summary
  ) {
    var frames = FrameTable(profile)
    let column = profile.defaultValueIndex
    let unitName = profile.sampleTypes.indices.contains(column) ? unit(for: profile.sampleTypes[column].unit) : "none"

    // Samples grouped by thread, consecutive equal stacks merged.
    var threadOrder: [ThreadKey] = []
    var byThread: [ThreadKey: SampledThread] = [:]
    let labels = ThreadLabels(profile)
    let samples = profile.samples
    for i in 0..<samples.count {
      let weight = samples.value(i, column)
      guard weight != 0 else { continue }
      let key = labels.key(of: samples.labelSets[i])
      if byThread[key] == nil {
        threadOrder.append(key)
        byThread[key] = SampledThread()
      }
      byThread[key]?.add(stack: samples.stacks[i], weight: weight)
    }

    var w = JSONWriter(reservingCapacity: 1 << 16)
    var profilesText = JSONWriter()
    var totalWeight: Int64 = 0
    var first = true
    for key in threadOrder {
      guard let thread = byThread[key] else { continue }
      if !first { profilesText.raw(",\n") }
      first = false
      profilesText.raw("{\"type\":\"sampled\",\"name\":")
      profilesText.string(labels.name(of: key))
      profilesText.raw(",\"unit\":")
      profilesText.string(unitName)
      var sum: Int64 = 0
      for weight in thread.weights { sum &+= weight }
      totalWeight &+= sum
      profilesText.raw(",\"startValue\":0,\"endValue\":")
      profilesText.number(sum)
      profilesText.raw(",\"samples\":[")
      for (n, stack) in thread.stacks.enumerated() {
        if n > 0 { profilesText.raw(",") }
        profilesText.raw("[")
        profilesText.raw(frames.indices(rootFirst: stack, in: profile).map(String.init).joined(separator: ","))
        profilesText.raw("]")
      }
      profilesText.raw("],\"weights\":[")
      profilesText.raw(thread.weights.map(String.init).joined(separator: ","))
      profilesText.raw("]}")
    }

    var evented = 0
    if let log = profile.callEvents, !log.events.isEmpty {
      for (thread, events) in eventsByThread(log) {
        if !first { profilesText.raw(",\n") }
        first = false
        evented += 1
        writeEvented(thread: thread, events: events, frames: &frames, profile: profile, into: &profilesText)
      }
    }

    w.raw("{\"$schema\":")
    w.string(schema)
    w.raw(",\"name\":")
    w.string(name)
    w.raw(",\"exporter\":")
    w.string(exporter)
    w.raw(",\"activeProfileIndex\":0,\n\"shared\":{\"frames\":[\n")
    for (n, f) in frames.frames.enumerated() {
      if n > 0 { w.raw(",\n") }
      w.raw("{\"name\":")
      w.string(f.name)
      if !f.file.isEmpty {
        w.raw(",\"file\":")
        w.string(f.file)
      }
      if f.line > 0 {
        w.raw(",\"line\":")
        w.number(f.line)
      }
      w.raw("}")
    }
    w.raw("\n]},\n\"profiles\":[\n")
    w.raw(profilesText.text)
    w.raw("\n]}\n")
    return (w.text, Summary(sampledProfiles: threadOrder.count, eventedProfiles: evented, totalWeight: totalWeight))
  }

  /// Kept calls grouped by thread (first-seen order), each sorted by start, outer calls first.
  static func eventsByThread(_ log: CallEventLog) -> [(Int64, [CallEvent])] {
    var order: [Int64] = []
    var groups: [Int64: [CallEvent]] = [:]
    for e in log.events {
      if groups[e.thread] == nil { order.append(e.thread) }
      groups[e.thread, default: []].append(e)
    }
    return order.map { t in
      (t, (groups[t] ?? []).sorted { ($0.startNanos, -$0.wallNanos) < ($1.startNanos, -$1.wallNanos) })
    }
  }

  /// One thread's calls as balanced open/close events; a call that would end after the call
  /// enclosing it (never so for traced calls) is cut at its parent's end.
  private static func writeEvented(
    thread: Int64, events: [CallEvent], frames: inout FrameTable, profile: Profile, into w: inout JSONWriter
  ) {
    let origin = events.first?.startNanos ?? 0
    var open: [(frame: Int, end: Int64)] = []
    var body = JSONWriter()
    var end: Int64 = 0
    var firstEvent = true
    func emit(_ type: String, _ frame: Int, _ at: Int64, _ body: inout JSONWriter) {
      if !firstEvent { body.raw(",") }
      firstEvent = false
      body.raw("{\"type\":\"\(type)\",\"frame\":\(frame),\"at\":\(at)}")
    }
    for e in events {
      let start = e.startNanos &- origin
      while let top = open.last, top.end <= start {
        emit("C", top.frame, top.end, &body)
        open.removeLast()
      }
      var stop = e.endNanos &- origin
      if let top = open.last { stop = min(stop, top.end) }
      let frame = frames.index(of: e.function, in: profile)
      emit("O", frame, start, &body)
      open.append((frame, stop))
      end = max(end, stop)
    }
    while let top = open.popLast() { emit("C", top.frame, top.end, &body) }
    w.raw("{\"type\":\"evented\",\"name\":")
    w.string("traced calls, tid \(thread)")
    w.raw(",\"unit\":\"nanoseconds\",\"startValue\":0,\"endValue\":")
    w.number(end)
    w.raw(",\"events\":[")
    w.raw(body.text)
    w.raw("]}")
  }

  /// Thread identity of a sample: its `pid` and `tid` label numbers (nil when absent).
  struct ThreadKey: Hashable {
    var pid: Int64?
    var tid: Int64?
  }

  /// Reads thread keys and names from label sets once per set.
  struct ThreadLabels {
    private var keys: [ThreadKey] = []
    private var names: [ThreadKey: String] = [:]

    init(_ profile: Profile) {
      let pid = profile.strings.lookup("pid")
      let tid = profile.strings.lookup("tid")
      let thread = profile.strings.lookup("thread")
      for set in profile.labelSets.sets {
        var key = ThreadKey()
        var name: String?
        for label in set {
          if label.key == pid { key.pid = label.number }
          if label.key == tid { key.tid = label.number }
          if label.key == thread, label.string != .empty { name = profile.string(label.string) }
        }
        keys.append(key)
        if let name, names[key] == nil { names[key] = name }
      }
    }

    func key(of set: LabelSetID) -> ThreadKey { keys.indices.contains(set.index) ? keys[set.index] : ThreadKey() }

    /// "NAME (tid T)", "tid T", "pid P" or "all samples".
    func name(of key: ThreadKey) -> String {
      switch (names[key], key.tid, key.pid) {
      case (let n?, let t?, _): return "\(n) (tid \(t))"
      case (let n?, nil, _): return n
      case (nil, let t?, _): return "tid \(t)"
      case (nil, nil, let p?): return "pid \(p)"
      case (nil, nil, nil): return "all samples"
      }
    }
  }

  /// One thread's samples: stacks and weights, consecutive equal stacks merged.
  struct SampledThread {
    var stacks: [StackID] = []
    var weights: [Int64] = []

    mutating func add(stack: StackID, weight: Int64) {
      if stacks.last == stack, let last = weights.indices.last {
        weights[last] = weights[last].addingSaturating(weight)
      } else {
        stacks.append(stack)
        weights.append(weight)
      }
    }
  }

  /// speedscope's shared frames: one per function (inlined functions count as frames too).
  struct FrameTable {
    struct Frame {
      var name: String
      var file: String
      var line: Int64
    }
    private(set) var frames: [Frame] = []
    private var byFunction: [Int32]
    private var stackCache: [StackID: [Int]] = [:]
    private var byAddress: [UInt64: Int] = [:]

    init(_ profile: Profile) {
      byFunction = Array(repeating: -1, count: profile.functions.count)
    }

    /// The frame index of `function`, added when new.
    mutating func index(of function: FunctionID, in profile: Profile) -> Int {
      guard byFunction.indices.contains(function.index) else {
        frames.append(Frame(name: "function \(function.raw)", file: "", line: 0))
        return frames.count - 1
      }
      if byFunction[function.index] >= 0 { return Int(byFunction[function.index]) }
      let f = profile.function(function)
      frames.append(Frame(name: profile.string(f.name), file: profile.string(f.filename), line: f.startLine))
      byFunction[function.index] = Int32(frames.count - 1)
      return frames.count - 1
    }

    /// The frame of an address with no symbol, named `0x…` as reports show it.
    private mutating func addressFrame(_ address: UInt64) -> Int {
      if let known = byAddress[address] { return known }
      frames.append(Frame(name: "0x" + String(address, radix: 16), file: "", line: 0))
      byAddress[address] = frames.count - 1
      return frames.count - 1
    }

    /// Frame indices of a stack node, root first (inlined callees after their callers).
    mutating func indices(rootFirst node: StackID, in profile: Profile) -> [Int] {
      if let cached = stackCache[node] { return cached }
      var result: [Int] = []
      if node != .root {
        result = indices(rootFirst: profile.stacks.parent(of: node), in: profile)
        let location = profile.location(profile.stacks.location(of: node))
        if location.lines.isEmpty {
          result.append(addressFrame(location.address))
        }
        for line in location.lines.reversed() { result.append(index(of: line.function, in: profile)) }
      }
      stackCache[node] = result
      return result
    }
  }
}

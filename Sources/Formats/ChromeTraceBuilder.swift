import ProfileModel

/// Collects a Chrome trace's timed events as spans per thread, then nests them per thread and
/// builds the traced profile `ChromeTraceReader` returns.
struct ChromeSpanCollector {
  /// One timed event: name, thread (indices), start and end in nanoseconds.
  struct Span {
    var name: Int32
    var thread: Int32
    var start: Int64
    var end: Int64
    /// CPU time from perfsh's own export (`args.cpu_us`), -1 when absent.
    var cpu: Int64 = -1
  }

  struct ThreadKey: Hashable {
    var pid: ChromeEvent.ThreadPart
    var tid: ChromeEvent.ThreadPart
  }

  let memoryBudget: Int
  var unterminatedArray = false
  var notObjects = 0

  private var nameIndex: [String: Int32] = [:]
  private var names: [String] = []
  private var threadIndex: [ThreadKey: Int32] = [:]
  private var threadKeys: [ThreadKey] = []
  private var threadNames: [Int32: String] = [:]
  private var open: [[(name: Int32, start: Int64)]] = []
  private var openCount = 0
  private var spans: [Span] = []

  private var completeEvents = 0
  private var pairs = 0
  private var ignored: [UInt8: Int] = [:]
  private var negative = 0
  private var endWithoutBegin = 0
  private var mismatchedEnds = 0
  private var missingTimes = 0
  private var badNumbers = 0

  init(memoryBudget: Int) { self.memoryBudget = memoryBudget }

  private mutating func name(_ raw: JSONScanner.RawString?, _ scanner: JSONScanner) throws(FormatError) -> Int32 {
    let text = try raw.map { (r) throws(FormatError) in try scanner.decode(r) } ?? "(unnamed)"
    if let known = nameIndex[text] { return known }
    let id = Int32(names.count)
    names.append(text)
    nameIndex[text] = id
    return id
  }

  private mutating func thread(_ event: ChromeEvent) -> Int32 {
    let key = ThreadKey(pid: event.pid, tid: event.tid)
    if let known = threadIndex[key] { return known }
    let id = Int32(threadKeys.count)
    threadKeys.append(key)
    threadIndex[key] = id
    open.append([])
    return id
  }

  /// Takes one event object.
  mutating func add(_ event: ChromeEvent, scanner: JSONScanner) throws(FormatError) {
    if event.badNumber { badNumbers += 1 }
    switch event.phase {
    case UInt8(ascii: "X"):
      guard let ts = event.ts, let dur = event.dur else {
        missingTimes += 1
        return
      }
      guard dur >= 0 else {
        negative += 1
        return
      }
      completeEvents += 1
      let n = try name(event.name, scanner)
      try append(Span(name: n, thread: thread(event), start: ts, end: ts + dur, cpu: event.cpu ?? -1))
    case UInt8(ascii: "B"):
      guard let ts = event.ts else {
        missingTimes += 1
        return
      }
      let n = try name(event.name, scanner)
      let t = Int(thread(event))
      open[t].append((n, ts))
      openCount += 1
      try checkBudget()
    case UInt8(ascii: "E"):
      guard let ts = event.ts else {
        missingTimes += 1
        return
      }
      let t = Int(thread(event))
      guard let begin = open[t].popLast() else {
        endWithoutBegin += 1
        return
      }
      openCount -= 1
      if let raw = event.name, try name(raw, scanner) != begin.name { mismatchedEnds += 1 }
      guard ts >= begin.start else {
        negative += 1
        return
      }
      pairs += 1
      try append(Span(name: begin.name, thread: Int32(t), start: begin.start, end: ts))
    case UInt8(ascii: "M"):
      guard let argName = event.argName, let raw = event.name else { return }
      let what = try scanner.decode(raw)
      if what == "thread_name" { threadNames[thread(event)] = argName }
    default:
      ignored[event.phase, default: 0] += 1
    }
  }

  private mutating func append(_ span: Span) throws(FormatError) {
    spans.append(span)
    try checkBudget()
  }

  private func checkBudget() throws(FormatError) {
    if (spans.count + openCount) &* ChromeTraceReader.bytesPerSpan > memoryBudget {
      throw .needsTooMuchMemory(limit: memoryBudget)
    }
  }

  /// Nests the spans per thread and builds the profile.
  mutating func build(logCapacity: Int) throws(FormatError) -> ChromeTraceReader.Result {
    let unended = openCount
    guard !spans.isEmpty else {
      throw .invalidChromeTrace(
        reason: "no complete (ph \"X\") or begin/end (ph \"B\"/\"E\") events with times"
          + (unended > 0 ? " (\(unended) begin events were never ended)" : ""))
    }
    let summaries = removeClangSummaries()
    guard !spans.isEmpty else {
      throw .invalidChromeTrace(reason: "no events besides clang's per-name totals ('Total …')")
    }
    spans.sort { a, b in
      if a.thread != b.thread { return a.thread < b.thread }
      if a.start != b.start { return a.start < b.start }
      return a.end > b.end
    }
    // Per nesting path: events and their self (wall) time. The per-name exact numbers go to
    // `callStatistics` (with its own carrier columns), so these columns keep distinct names.
    var builder = ProfileBuilder(sampleTypes: [
      ValueType(type: "events", unit: "count"), ValueType(type: "wall", unit: "nanoseconds"),
    ])
    builder.withProfile { $0.defaultSampleType = 1 }
    var used = [Bool](repeating: false, count: names.count)
    for s in spans { used[Int(s.name)] = true }
    // Names only dropped events had (clang's totals) get no function; their slots are never read.
    let functions = names.indices.map { used[$0] ? builder.function(names[$0]) : FunctionID(Int32(-1)) }
    let locations = functions.map { $0.raw >= 0 ? builder.location(function: $0) : LocationID(Int32(-1)) }
    var profile = builder.build()

    var calls = [Int64](repeating: 0, count: names.count)
    var selfSums = [Int64](repeating: 0, count: names.count)
    var totalSums = [Int64](repeating: 0, count: names.count)
    var selfTimes = [[Int64]](repeating: [], count: names.count)
    var sampleIndex: [UInt64: Int] = [:]
    var sampleNodes: [(node: StackID, thread: Int32)] = []
    var sampleValues: [Int64] = []
    var overlapping = 0
    var tooDeep = 0

    struct Open {
      var span: Span
      var node: StackID
      var children: Int64 = 0
    }
    var stack: [Open] = []
    func finish(_ o: Open, _ stack: inout [Open]) {
      let duration = o.span.end - o.span.start
      let own = max(0, duration - o.children)
      let n = Int(o.span.name)
      calls[n] += 1
      selfSums[n] &+= own
      totalSums[n] &+= duration
      selfTimes[n].append(own)
      if let p = stack.indices.last { stack[p].children &+= duration }
      let key = UInt64(UInt32(bitPattern: o.node.raw)) << 32 | UInt64(UInt32(bitPattern: o.span.thread))
      if let i = sampleIndex[key] {
        sampleValues[2 * i] += 1
        sampleValues[2 * i + 1] &+= own
      } else {
        sampleIndex[key] = sampleNodes.count
        sampleNodes.append((o.node, o.span.thread))
        sampleValues += [1, own]
      }
    }
    var currentThread: Int32 = -1
    for var span in spans {
      if span.thread != currentThread {
        while let o = stack.popLast() { finish(o, &stack) }
        currentThread = span.thread
      }
      while let top = stack.last, top.span.end <= span.start {
        stack.removeLast()
        finish(top, &stack)
      }
      let parent = stack.last
      if let parent, span.end > parent.span.end {
        overlapping += 1
        span.end = parent.span.end
      }
      var node: StackID
      if stack.count >= StackDepthLimit.maxFrames - 1, let parent {
        tooDeep += 1
        node = parent.node
      } else {
        node = profile.stacks.child(of: parent?.node ?? .root, location: locations[Int(span.name)])
      }
      stack.append(Open(span: span, node: node))
    }
    while let o = stack.popLast() { finish(o, &stack) }

    // Samples: one per (path, thread), labelled with the thread.
    var builder2 = ProfileBuilder(profile)
    let labels = threadKeys.indices.map { t -> [Label] in
      var set: [Label] = []
      let key = threadKeys[t]
      let pidKey = builder2.intern("pid")
      let tidKey = builder2.intern("tid")
      let threadKey = builder2.intern("thread")
      set.append(Label(key: pidKey, number: Self.number(key.pid, fallback: Self.textID(t))))
      set.append(Label(key: tidKey, number: Self.number(key.tid, fallback: Self.textID(t))))
      if let name = threadNames[Int32(t)] ?? Self.text(key.tid) {
        set.append(Label(key: threadKey, string: builder2.intern(name)))
      }
      return set
    }
    for (i, s) in sampleNodes.enumerated() {
      builder2.addSample(
        stack: s.node, values: [sampleValues[2 * i], sampleValues[2 * i + 1]], labels: labels[Int(s.thread)])
    }
    profile = builder2.build()
    profile.stacks.dropLookupIndex()
    if let past = profile.sampleTypePastValueLimit() { throw .valuesPastLimit(sampleType: past) }

    var statistics: [FunctionID: CallStatistics] = [:]
    for n in names.indices where calls[n] > 0 {
      var times = selfTimes[n]
      times.sort()
      let rank = min(max(Int((0.95 * Double(times.count)).rounded(.up)), 1), times.count)
      // Wall clock in the main fields and in `wall`, so the heatmap's legend names the clock.
      let wall = CallTimes(
        selfNanos: selfSums[n], totalNanos: totalSums[n], maxSelfNanos: times.last ?? 0, p95SelfNanos: times[rank - 1])
      statistics[functions[n]] = CallStatistics(
        calls: calls[n], selfNanos: wall.selfNanos, totalNanos: wall.totalNanos, maxSelfNanos: wall.maxSelfNanos,
        p95SelfNanos: wall.p95SelfNanos, clock: .wall, wall: wall)
    }
    profile.setCallStatistics(statistics)

    // The spans themselves, earliest first when there are more than the log keeps.
    var kept = spans
    if kept.count > logCapacity {
      kept.sort { ($0.start, $0.thread) < ($1.start, $1.thread) }
    }
    var log = CallEventLog(capacity: logCapacity)
    for s in kept {
      let key = threadKeys[Int(s.thread)]
      log.append(
        CallEvent(
          function: functions[Int(s.name)], thread: Self.number(key.tid, fallback: Self.textID(Int(s.thread))),
          process: Self.number(key.pid, fallback: Self.textID(Int(s.thread))), startNanos: s.start,
          wallNanos: s.end - s.start,
          cpuNanos: s.cpu >= 0 ? s.cpu : nil))
    }
    profile.callEvents = log

    let first = spans.map(\.start).min() ?? 0
    let last = spans.map(\.end).max() ?? 0
    profile.run.elapsedNanos = last - first
    profile.durationNanos = last - first

    var warnings: [String] = []
    func events(_ n: Int, _ kind: String = "") -> String { "\(n) \(kind)event\(n == 1 ? "" : "s")" }
    if negative > 0 { warnings.append("left out \(events(negative)) with a negative duration") }
    if endWithoutBegin > 0 {
      warnings.append("left out \(events(endWithoutBegin, "end (E) ")) with no begin (B) on their thread")
    }
    if unended > 0 { warnings.append("left out \(events(unended, "begin (B) ")) never ended") }
    if mismatchedEnds > 0 {
      warnings.append("closed \(events(mismatchedEnds, "begin (B) ")) with an end (E) of another name")
    }
    if overlapping > 0 {
      warnings.append(
        "cut \(events(overlapping)) at the end of the event enclosing them (they overlapped it without nesting)")
    }
    if missingTimes > 0 { warnings.append("left out \(events(missingTimes)) without ts or dur") }
    if badNumbers > 0 { warnings.append("left out \(events(badNumbers)) with a time out of range (over 2^61 ns)") }
    if tooDeep > 0 {
      warnings.append(
        "attached \(events(tooDeep)) nested deeper than \(StackDepthLimit.maxFrames) levels to their parent's stack")
    }
    if notObjects > 0 { warnings.append("left out \(events(notObjects, "trace ")) that are not objects") }

    let threadsUsed = Set(spans.map(\.thread)).count
    var summary =
      "Chrome trace: \(spans.count) timed events (\(completeEvents - summaries) complete, \(pairs) begin/end pairs) "
      + "on \(threadsUsed) thread\(threadsUsed == 1 ? "" : "s")"
    if !ignored.isEmpty {
      let parts = ignored.sorted { $0.key < $1.key }.map { "\($0.value) '\(Self.phaseText($0.key))'" }
      summary += "; other phases ignored: " + parts.joined(separator: ", ")
    }
    profile.run.notes.append(summary)
    profile.run.notes.append(
      "times are wall-clock durations from the trace; self time = duration minus nested events on the same thread")
    if summaries > 0 {
      profile.run.notes.append(
        "left out \(summaries) clang summary events ('Total …', each alone on its own thread): they repeat the sums of the others"
      )
    }
    if unterminatedArray { profile.run.notes.append("the event array has no closing ']' (allowed by the format)") }
    if log.dropped > 0 {
      profile.run.notes.append(
        "kept the first \(log.events.count) of \(spans.count) events one by one for export chrome")
    }
    profile.run.notes += warnings.map { "warning: " + $0 }
    return ChromeTraceReader.Result(profile: profile, warnings: warnings)
  }

  /// Drops clang -ftime-trace's summary events: one `Total NAME` event alone on its own
  /// thread per name, which would count every phase twice. Returns how many were dropped.
  private mutating func removeClangSummaries() -> Int {
    var perThread = [Int](repeating: 0, count: threadKeys.count)
    for s in spans { perThread[Int(s.thread)] += 1 }
    let isSummaryName = names.map { $0.hasPrefix("Total ") }
    let before = spans.count
    spans.removeAll { perThread[Int($0.thread)] == 1 && isSummaryName[Int($0.name)] }
    return before - spans.count
  }

  private static func number(_ part: ChromeEvent.ThreadPart, fallback: Int64) -> Int64 {
    if case .number(let n) = part { return n }
    return fallback
  }

  /// The number that stands for a pid or tid given as text: 2^40 + the thread's index, so
  /// distinct threads stay distinct when written again.
  private static func textID(_ thread: Int) -> Int64 { Int64(1) << 40 + Int64(thread) }

  private static func text(_ part: ChromeEvent.ThreadPart) -> String? {
    if case .text(let s) = part { return s }
    return nil
  }

  private static func phaseText(_ b: UInt8) -> String {
    b >= 0x20 && b < 0x7F ? String(Character(Unicode.Scalar(b))) : "?"
  }
}

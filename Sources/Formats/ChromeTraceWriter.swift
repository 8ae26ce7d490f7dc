import ProfileModel

/// Writes a profile's kept single calls (`Profile.callEvents`) as Chrome trace-event JSON, which
/// Perfetto and `chrome://tracing` open: one complete (`ph: "X"`) event per call with pid, tid,
/// `ts` and `dur` in microseconds (exact to the nanosecond, three decimals) and the call's CPU
/// time in `args`, plus `process_name` / `thread_name` metadata (`ph: "M"`) events.
///
/// At most `maxEvents` calls are written, the earliest first; `Summary` says how many were left
/// out so the caller can say so.
public enum ChromeTraceWriter {
  /// What `write` produced besides the text.
  public struct Summary: Sendable, Equatable {
    /// Complete events written.
    public var written: Int
    /// Kept calls not written because of `maxEvents`.
    public var omitted: Int
    /// Calls the capture did not keep one by one (its log was full).
    public var notKept: Int64
  }

  /// The Chrome trace JSON of `profile`'s kept calls, or nil when it kept none.
  /// `processName` names the process in the metadata; `pid` stands in for calls whose process is unknown.
  public static func write(
    _ profile: Profile, maxEvents: Int, processName: String, pid: Int64 = 1
  ) -> (text: String, summary: Summary)? {
    guard let log = profile.callEvents, !log.events.isEmpty || log.dropped > 0 else { return nil }
    let sorted = log.events.sorted { ($0.startNanos, -$0.wallNanos) < ($1.startNanos, -$1.wallNanos) }
    let chosen = sorted.prefix(max(0, maxEvents))
    let origin = chosen.first?.startNanos ?? 0
    let names = threadNames(profile)

    var w = JSONWriter(reservingCapacity: chosen.count * 110 + 256)
    w.raw("{\"traceEvents\":[\n")
    var processes: [Int64] = []
    var threads: [Int64: Int64] = [:]  // tid -> pid, first seen
    var threadOrder: [Int64] = []
    for e in chosen {
      let p = e.process != 0 ? e.process : pid
      if !processes.contains(p) { processes.append(p) }
      if threads[e.thread] == nil {
        threads[e.thread] = p
        threadOrder.append(e.thread)
      }
    }
    var first = true
    func separator(_ w: inout JSONWriter) {
      if !first { w.raw(",\n") }
      first = false
    }
    for p in processes {
      separator(&w)
      w.raw("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":\(p),\"tid\":0,\"args\":{\"name\":")
      w.string(processName)
      w.raw("}}")
    }
    for t in threadOrder {
      separator(&w)
      w.raw("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":\(threads[t] ?? pid),\"tid\":\(t),\"args\":{\"name\":")
      w.string(names[t] ?? "tid \(t)")
      w.raw("}}")
    }
    var nameCache: [FunctionID: String] = [:]
    for e in chosen {
      separator(&w)
      let name: String
      if let cached = nameCache[e.function] {
        name = cached
      } else {
        name =
          profile.functions.indices.contains(e.function.index)
          ? profile.name(of: e.function) : "function \(e.function.raw)"
        nameCache[e.function] = name
      }
      w.raw("{\"name\":")
      w.string(name)
      w.raw(",\"cat\":\"call\",\"ph\":\"X\",\"pid\":\(e.process != 0 ? e.process : pid),\"tid\":\(e.thread),\"ts\":")
      w.microseconds(fromNanos: e.startNanos &- origin)
      w.raw(",\"dur\":")
      w.microseconds(fromNanos: e.wallNanos)
      if let cpu = e.cpuNanos {
        w.raw(",\"args\":{\"cpu_us\":")
        w.microseconds(fromNanos: cpu)
        w.raw("}")
      }
      w.raw("}")
    }
    w.raw("\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"exporter\":\"perfsh\",\"calls\":\"\(log.totalCalls)\"}}\n")
    return (w.text, Summary(written: chosen.count, omitted: sorted.count - chosen.count, notKept: log.dropped))
  }

  /// Thread names from the samples' `tid` / `thread` labels, by tid.
  static func threadNames(_ profile: Profile) -> [Int64: String] {
    guard let tidKey = profile.strings.lookup("tid"), let threadKey = profile.strings.lookup("thread") else {
      return [:]
    }
    var names: [Int64: String] = [:]
    for set in profile.labelSets.sets {
      guard let tid = set.first(where: { $0.key == tidKey })?.number,
        let name = set.first(where: { $0.key == threadKey && $0.string != .empty })?.string
      else { continue }
      if names[tid] == nil { names[tid] = profile.string(name) }
    }
    return names
  }
}

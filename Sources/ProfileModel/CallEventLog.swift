/// One completed traced call: which function, on which thread, when it began and how long it
/// took, so timeline formats (`export chrome`, speedscope's evented profiles) can draw it.
public struct CallEvent: Sendable, Equatable {
  /// The function called (a probe index until the tracer's caller maps it to the profile).
  public var function: FunctionID
  /// The thread (Linux tid, or a loaded trace's thread number).
  public var thread: Int64
  /// The process the thread belongs to, when known (0 when not).
  public var process: Int64
  /// When the call began, in nanoseconds on the source's clock (CLOCK_MONOTONIC for traces).
  public var startNanos: Int64
  /// Entry to return, wall time.
  public var wallNanos: Int64
  /// The thread's CPU time between entry and return; nil when not measured.
  public var cpuNanos: Int64?

  /// Creates a value from its parts.
  public init(
    function: FunctionID, thread: Int64, process: Int64 = 0, startNanos: Int64, wallNanos: Int64, cpuNanos: Int64? = nil
  ) {
    self.function = function
    self.thread = thread
    self.process = process
    self.startNanos = startNanos
    self.wallNanos = wallNanos
    self.cpuNanos = cpuNanos
  }

  /// When the call returned.
  public var endNanos: Int64 { startNanos.addingSaturating(wallNanos) }
}

/// A bounded log of completed calls: the first `capacity` calls in completion order are kept,
/// later ones only counted, so tracing millions of calls costs at most `capacity` × 56 bytes.
/// Times are raw (the probe cost is not taken out of single calls).
public struct CallEventLog: Sendable, Equatable {
  /// How many calls a `run --trace` keeps by default (56 MiB at most).
  public static let defaultCapacity = 1 << 20

  /// The calls kept, in the order they completed.
  public private(set) var events: [CallEvent] = []
  /// Completed calls not kept because the log was full.
  public private(set) var dropped: Int64 = 0
  /// Most calls kept.
  public let capacity: Int

  /// An empty log that keeps at most `capacity` calls.
  public init(capacity: Int = defaultCapacity) {
    self.capacity = max(0, capacity)
  }

  /// A log holding `events` (at most `capacity` of them; the rest count as dropped) plus `dropped` more.
  public init(events: [CallEvent], dropped: Int64 = 0, capacity: Int = defaultCapacity) {
    self.capacity = max(0, capacity)
    self.events = Array(events.prefix(self.capacity))
    self.dropped = dropped.addingSaturating(Int64(events.count - self.events.count))
  }

  /// Keeps `event` if there is room, else counts it as dropped.
  @inlinable
  public mutating func append(_ event: CallEvent) {
    if events.count < capacity { appendKept(event) } else { countDropped() }
  }

  @usableFromInline mutating func appendKept(_ event: CallEvent) { events.append(event) }
  @usableFromInline mutating func countDropped() { dropped &+= 1 }

  /// Every completed call: kept and dropped.
  public var totalCalls: Int64 { Int64(events.count).addingSaturating(dropped) }

  /// The log with `process` set on every event whose process is unknown (0); the tracer
  /// sees threads only, the caller knows the target's pid.
  public func withProcess(_ process: Int64) -> CallEventLog {
    guard process != 0 else { return self }
    var out = self
    for i in out.events.indices where out.events[i].process == 0 { out.events[i].process = process }
    return out
  }

  /// The log with each event's function replaced by `map[function.index]` (events whose index
  /// has no entry are left out and counted as dropped); the tracer logs probe indices.
  public func mapped(_ map: [FunctionID]) -> CallEventLog {
    var out = CallEventLog(capacity: capacity)
    out.events.reserveCapacity(events.count)
    out.dropped = dropped
    for var e in events {
      guard map.indices.contains(e.function.index) else {
        out.dropped &+= 1
        continue
      }
      e.function = map[e.function.index]
      out.events.append(e)
    }
    return out
  }
}

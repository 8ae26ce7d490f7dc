import ProfileModel

/// A session's kept single calls (`Profile.callEvents`) in a session file: Profile field 21,
/// `CallEvents { uint64 count = 1; packed function = 2; packed zigzag thread = 3, process = 4,
/// start_delta = 5 (from the previous call's start), wall = 6; packed cpu_plus_1 = 7 (0: not
/// measured; left out when none was); int64 dropped = 8; uint64 capacity = 9; }`.
/// Older perfsh skips the field; a file without it opens with no kept calls.
enum SessionArchiveCallEvents {
  /// The Profile field number.
  static let field = 21

  static func write(_ log: CallEventLog) -> ProtoWriter {
    let events = log.events
    var w = ProtoWriter(capacity: events.count * 8 + 32)
    w.uint64(1, UInt64(events.count))
    w.packed(2, events.map { UInt64(UInt32(bitPattern: $0.function.raw)) })
    w.packed(3, events.map { zigzag($0.thread) })
    w.packed(4, events.map { zigzag($0.process) })
    var previous: Int64 = 0
    w.packed(
      5,
      events.map { (e: CallEvent) -> UInt64 in
        defer { previous = e.startNanos }
        return zigzag(e.startNanos &- previous)
      })
    w.packed(6, events.map { zigzag($0.wallNanos) })
    if events.contains(where: { $0.cpuNanos != nil }) {
      w.packed(7, events.map { $0.cpuNanos.map { zigzag($0) &+ 1 } ?? 0 })
    }
    w.int64(8, log.dropped)
    w.uint64(9, UInt64(log.capacity))
    return w
  }

  static func read(_ r: inout ProtoReader, functions: Int) throws(FormatError) -> CallEventLog {
    let m = "call events"
    var count: UInt64 = 0
    var columns = [[UInt64]](repeating: [], count: 8)
    var dropped: Int64 = 0
    var capacity: UInt64 = UInt64(CallEventLog.defaultCapacity)
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: count = try r.uint64(field, wire, in: m)
      case 2...7: columns[Int(field)] += try r.packedValues(field, wire, in: m)
      case 8: dropped = try r.int64(field, wire, in: m)
      case 9: capacity = try r.uint64(field, wire, in: m)
      default: try r.skip(wire)
      }
    }
    let n = Int(clamping: count)
    for c in 2...6 where columns[c].count != n {
      throw .invalidArchive(reason: "call events: column \(c) has \(columns[c].count) values for \(n) calls")
    }
    guard columns[7].isEmpty || columns[7].count == n else {
      throw .invalidArchive(reason: "call events: column 7 has \(columns[7].count) values for \(n) calls")
    }
    guard dropped >= 0, capacity <= UInt64(Int32.max), n <= Int(capacity) else {
      throw .invalidArchive(reason: "call events: \(n) calls, \(dropped) dropped, capacity \(capacity)")
    }
    var events: [CallEvent] = []
    events.reserveCapacity(n)
    var start: Int64 = 0
    for i in 0..<n {
      let f = columns[2][i]
      guard f < UInt64(functions) else {
        throw .invalidArchive(reason: "call events name function \(f), which does not exist")
      }
      start = start &+ unzigzag(columns[5][i])
      let cpu = columns[7].isEmpty || columns[7][i] == 0 ? nil : unzigzag(columns[7][i] &- 1)
      events.append(
        CallEvent(
          function: FunctionID(Int(f)), thread: unzigzag(columns[3][i]), process: unzigzag(columns[4][i]),
          startNanos: start, wallNanos: unzigzag(columns[6][i]), cpuNanos: cpu))
    }
    return CallEventLog(events: events, dropped: dropped, capacity: Int(capacity))
  }

  private static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
  private static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }
}

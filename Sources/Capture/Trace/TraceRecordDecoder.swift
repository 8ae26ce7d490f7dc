/// Decodes the records of uprobe events (sample type IDENTIFIER | TID | TIME) into hits,
/// and the context-switch records of the ring's switch event (sample_id_all) into switches.
///
/// The layout is fixed, so a record is read at constant offsets with no allocation:
/// a sample is header (8 bytes), id, pid, tid, time; a SWITCH record is header, pid, tid,
/// time, id (its sample_id trailer). LOST records are counted; others are skipped. Go probes
/// also sample user registers AX and R14 (`goRegisterMask`): abi, AX, R14 follow the time.
public struct TraceRecordDecoder: Sendable {
  /// The sample type every trace event is opened with.
  public static let sampleType = SampleType.identifier.rawValue | SampleType.tid.rawValue | SampleType.time.rawValue

  /// PERF_REG_X86_AX and PERF_REG_X86_R14: the argument register (the goroutine
  /// `runtime.execute` starts) and the current goroutine's `g` (Go register ABI).
  public static let goRegisterMask: UInt64 = 1 << 0 | 1 << 22

  /// Event id → function index << 3 | kind code (entry 0, return 1, tail jump 2, scheduler 3,
  /// restart 4).
  private var probes: [UInt64: UInt32] = [:]
  /// Records the kernel dropped because a ring was full.
  public private(set) var lostRecords: UInt64 = 0
  /// PERF_RECORD_SWITCH (not among `PerfRecordType`'s constants, which the sampler uses).
  static let switchRecord: UInt32 = 14
  /// PERF_RECORD_MISC_SWITCH_OUT: the record is a switch-out (else a switch-in).
  static let switchOutFlag: UInt16 = 1 << 13

  /// Probe hits decoded (switch records not included).
  public private(set) var probeHits: UInt64 = 0
  /// Samples whose id belongs to no known event (should stay zero).
  public private(set) var unknownEvents: UInt64 = 0

  /// An empty decoder; `register` each event's id.
  public init() {}

  /// Adds records the kernel dropped without a LOST record (found by comparing counts).
  public mutating func addUnreportedLoss(_ n: UInt64) { lostRecords &+= n }

  /// Maps an event id to the function it probes.
  public mutating func register(id: UInt64, function: UInt32, isReturn: Bool) {
    register(id: id, function: function, kind: isReturn ? .return : .entry)
  }

  /// Maps an event id to a function's probe of `kind` (entry, return, tailJump), or to
  /// the Go scheduler probe (`goroutineStart`).
  public mutating func register(id: UInt64, function: UInt32, kind: TraceHit.Kind) {
    let code: UInt32 =
      switch kind {
      case .return: 1
      case .tailJump: 2
      case .goroutineStart: 3
      case .restart: 4
      default: 0
      }
    probes[id] = function << 3 | code
  }

  private static let kinds: [TraceHit.Kind] = [
    .entry, .return, .tailJump, .goroutineStart, .restart, .entry, .entry, .entry,
  ]

  /// Records that could not be decoded (too short for their type, or an impossible size in
  /// the header, which also drops the bytes after it) by `decode(_:into:)`; a loss, like
  /// `lostRecords`. (A `RecordMerger` counts its own.)
  public private(set) var unparsedRecords: UInt64 = 0

  /// Appends the hits of every complete record in `bytes` to `hits`; returns the number of
  /// bytes consumed (a trailing partial record stays for the next call).
  public mutating func decode(_ bytes: UnsafeRawBufferPointer, into hits: inout [TraceHit]) -> Int {
    var offset = 0
    while offset + 8 <= bytes.count {
      let size = Int(bytes.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self))
      if size < 8 {  // corrupt header: drop the rest rather than spin
        unparsedRecords &+= 1
        return bytes.count
      }
      if offset + size > bytes.count { break }
      do throws(CaptureError) {
        if let hit = try decode(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)])) { hits.append(hit) }
      } catch {
        unparsedRecords &+= 1
      }
      offset += size
    }
    return offset
  }
}

extension TraceRecordDecoder: RecordDecoding {
  /// The time of a probe hit or a switch record; nil for others (LOST).
  public func time(of record: UnsafeRawBufferPointer) -> UInt64? {
    let type = record.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
    if type == PerfRecordType.sample, record.count >= 32 {
      return record.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }
    if type == Self.switchRecord, record.count >= 24 {
      return record.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
    }
    return nil
  }

  /// One record: a probe hit or a switch becomes a `TraceHit`; LOST records are counted, a
  /// sample of no registered event is counted in `unknownEvents`, other types are skipped
  /// (nil). A sample or switch record too short for its fields throws.
  public mutating func decode(_ record: UnsafeRawBufferPointer) throws(CaptureError) -> TraceHit? {
    let type = record.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
    let size = record.count
    if type == PerfRecordType.sample {
      guard size >= 32 else { throw .truncatedRecord(type: type, size: size, needed: 32) }
      let id = record.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
      let tid = record.loadUnaligned(fromByteOffset: 20, as: UInt32.self)
      let time = record.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
      guard let code = probes[id] else {
        unknownEvents &+= 1
        return nil
      }
      probeHits &+= 1
      let kind = Self.kinds[Int(code & 7)]
      var goroutine: UInt64 = 0
      // Registers: abi (nonzero when user registers were caught), AX, R14.
      if size >= 56, record.loadUnaligned(fromByteOffset: 32, as: UInt64.self) != 0 {
        goroutine = record.loadUnaligned(fromByteOffset: kind == .goroutineStart ? 40 : 48, as: UInt64.self)
      }
      return TraceHit(time: time, tid: tid, function: code >> 3, kind: kind, goroutine: goroutine)
    }
    if type == Self.switchRecord {
      guard size >= 24 else { throw .truncatedRecord(type: type, size: size, needed: 24) }
      let misc = record.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
      let tid = record.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
      let time = record.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
      return TraceHit(time: time, tid: tid, kind: misc & Self.switchOutFlag != 0 ? .switchOut : .switchIn)
    }
    if type == PerfRecordType.lost {
      guard size >= 24 else { throw .truncatedRecord(type: type, size: size, needed: 24) }
      lostRecords &+= record.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
    }
    return nil
  }
}

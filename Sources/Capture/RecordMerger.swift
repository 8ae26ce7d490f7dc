/// Decodes one kind of ring's records for `RecordMerger`: the time a record is ordered by, and
/// the typed value it becomes (a `PerfRecord`, a trace hit).
public protocol RecordDecoding {
  /// What a record decodes to.
  associatedtype Record
  /// The record's timestamp, read without decoding it all; nil when it has none.
  func time(of record: UnsafeRawBufferPointer) -> UInt64?
  /// The typed record; nil for a record of no interest (skipped, not a loss). Throws when the
  /// record cannot be parsed: the merger counts it as unparsed.
  mutating func decode(_ record: UnsafeRawBufferPointer) throws(CaptureError) -> Record?
}

extension PerfRecordParser: RecordDecoding {
  /// Every record parses to a `PerfRecord` (types perfsh does not use become `.other`).
  public func decode(_ record: UnsafeRawBufferPointer) throws(CaptureError) -> PerfRecord? {
    try parse(record)
  }
}

/// How long records newer than the drain are held back, in every source: another CPU may
/// still be writing older ones into its ring.
public let recordHoldBackNanos: UInt64 = 20_000_000

/// Merges the records of several per-CPU rings into one stream ordered by time.
///
/// Each ring is ordered by itself, but a process can mmap on one CPU and be sampled on
/// another a moment later, so records are handed out in time order across rings. Records
/// newer than a cutoff are held back until the next round, because a slower CPU may still
/// be writing older ones; `flush` hands out everything.
public struct RecordMerger<Decoder: RecordDecoding> {
  /// The decoder, with whatever it counts (e.g. the trace decoder's hits and lost records).
  public var decoder: Decoder
  private var pending: [[UInt8]]
  /// Where ring `ring`'s unhanded bytes start in `pending[ring]`: handed-out records are
  /// skipped, not removed, until they are most of the buffer (removing them every round moved
  /// the held-back records each time: 40 ms of a 1.7 s run's drain).
  private var starts: [Int]
  /// (offset, size, time) of each complete record in `pending[ring]`, rebuilt per round.
  private var entries: [[Entry]]
  /// Records that did not parse, over every `emit` so far: a loss, like the records the
  /// kernel reports lost, shown as `RunInfo.unparsedRecords`. A header with an impossible
  /// size counts once and drops the rest of its ring's bytes (the next drain starts on a
  /// record boundary again).
  public private(set) var unparsedRecords: UInt64 = 0

  private struct Entry {
    var offset: Int
    var size: Int
    var time: UInt64
  }

  /// A merger for `rings` rings whose records `parser` decodes.
  public init(rings: Int, parser: Decoder) {
    self.decoder = parser
    pending = Array(repeating: [], count: rings)
    starts = Array(repeating: 0, count: rings)
    entries = Array(repeating: [], count: rings)
  }

  /// Bytes waiting in ring `ring`'s buffer, appended to by the caller (e.g. `RingBuffer.drain`).
  public mutating func withBuffer<R>(ring: Int, _ body: (inout [UInt8]) -> R) -> R {
    body(&pending[ring])
  }

  /// Hands every record with time ≤ `cutoff` to `body`, oldest first; records without a
  /// time count as oldest. Records that do not parse are skipped and counted (in the result
  /// and in `unparsedRecords`). A record is valid only during `body`: it may point into the
  /// merger's buffer.
  @discardableResult
  public mutating func emit(upTo cutoff: UInt64, _ body: (Decoder.Record) -> Void) -> Int {
    var failures = 0
    for ring in pending.indices { failures += index(ring: ring) }
    var heads = Array(repeating: 0, count: pending.count)
    var decoder = self.decoder
    defer { self.decoder = decoder }
    while true {
      var best = -1
      var bestTime = UInt64.max
      for ring in heads.indices where heads[ring] < entries[ring].count {
        let t = entries[ring][heads[ring]].time
        if t <= cutoff && (best < 0 || t < bestTime) {
          best = ring
          bestTime = t
        }
      }
      guard best >= 0 else { break }
      let e = entries[best][heads[best]]
      heads[best] += 1
      // The record may point into these bytes (a sample's user stack), so it is used
      // inside the closure that keeps them alive, never after.
      let parsed: Bool = pending[best].withUnsafeBytes { raw in
        let bytes = UnsafeRawBufferPointer(rebasing: raw[e.offset..<(e.offset + e.size)])
        do throws(CaptureError) {
          if let record = try decoder.decode(bytes) { body(record) }
          return true
        } catch {
          return false
        }
      }
      if !parsed { failures += 1 }
    }
    unparsedRecords &+= UInt64(failures)
    for ring in pending.indices where heads[ring] > 0 {
      starts[ring] = heads[ring] < entries[ring].count ? entries[ring][heads[ring]].offset : completeBytes(ring)
      if starts[ring] == pending[ring].count {
        pending[ring].removeAll(keepingCapacity: true)
        starts[ring] = 0
      } else if starts[ring] >= pending[ring].count / 2 {
        pending[ring].removeSubrange(0..<starts[ring])
        starts[ring] = 0
      }
    }
    return failures
  }

  /// Hands out every buffered record in time order.
  @discardableResult
  public mutating func flush(_ body: (Decoder.Record) -> Void) -> Int {
    emit(upTo: .max, body)
  }

  /// Total bytes still buffered (records held back or incomplete).
  public var bufferedBytes: Int { zip(pending, starts).reduce(0) { $0 + $1.0.count - $1.1 } }

  private func completeBytes(_ ring: Int) -> Int {
    guard let last = entries[ring].last else { return 0 }
    return last.offset + last.size
  }

  /// Lists ring `ring`'s complete records; returns 1 when a corrupt header ended the list
  /// (that header and the bytes after it are dropped), else 0.
  private mutating func index(ring: Int) -> Int {
    var list = entries[ring]
    list.removeAll(keepingCapacity: true)
    entries[ring] = []
    let decoder = self.decoder
    let start = starts[ring]
    let corruptAt: Int? = pending[ring].withUnsafeBytes { raw in
      var offset = start
      while raw.count - offset >= 8 {
        let size = Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self)))
        if size < 8 { return offset }
        guard offset + size <= raw.count else { break }
        let record = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)])
        list.append(Entry(offset: offset, size: size, time: decoder.time(of: record) ?? 0))
        offset += size
      }
      return nil
    }
    entries[ring] = list
    guard let corruptAt else { return 0 }
    pending[ring].removeSubrange(corruptAt...)
    return 1
  }
}

/// Merges the records of several per-CPU rings into one stream ordered by time.
///
/// Each ring is ordered by itself, but a process can mmap on one CPU and be sampled on
/// another a moment later, so records are handed out in time order across rings. Records
/// newer than a cutoff are held back until the next round, because a slower CPU may still
/// be writing older ones; `flush` hands out everything.
public struct RecordMerger {
  private let parser: PerfRecordParser
  private var pending: [[UInt8]]
  /// (offset, size, time) of each complete record in `pending[ring]`, rebuilt per round.
  private var entries: [[Entry]]
  /// Complete records that did not parse, over every `emit` so far: a loss, like the records
  /// the kernel reports lost, shown as `RunInfo.unparsedRecords`.
  public private(set) var unparsedRecords: UInt64 = 0

  private struct Entry {
    var offset: Int
    var size: Int
    var time: UInt64
  }

  /// A merger for `rings` rings whose records share `parser`'s format.
  public init(rings: Int, parser: PerfRecordParser) {
    self.parser = parser
    pending = Array(repeating: [], count: rings)
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
  public mutating func emit(upTo cutoff: UInt64, _ body: (PerfRecord) -> Void) throws(CaptureError) -> Int {
    var failures = 0
    for ring in pending.indices { try index(ring: ring) }
    var heads = Array(repeating: 0, count: pending.count)
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
        guard let record = try? parser.parse(UnsafeRawBufferPointer(rebasing: raw[e.offset..<(e.offset + e.size)]))
        else {
          return false
        }
        body(record)
        return true
      }
      if !parsed { failures += 1 }
    }
    unparsedRecords &+= UInt64(failures)
    for ring in pending.indices where heads[ring] > 0 {
      let consumed = heads[ring] < entries[ring].count ? entries[ring][heads[ring]].offset : completeBytes(ring)
      pending[ring].removeSubrange(0..<consumed)
    }
    return failures
  }

  /// Hands out every buffered record in time order.
  @discardableResult
  public mutating func flush(_ body: (PerfRecord) -> Void) throws(CaptureError) -> Int {
    try emit(upTo: .max, body)
  }

  /// Total bytes still buffered (records held back or incomplete).
  public var bufferedBytes: Int { pending.reduce(0) { $0 + $1.count } }

  private func completeBytes(_ ring: Int) -> Int {
    guard let last = entries[ring].last else { return 0 }
    return last.offset + last.size
  }

  private mutating func index(ring: Int) throws(CaptureError) {
    entries[ring].removeAll(keepingCapacity: true)
    let result: Result<[Entry], CaptureError> = pending[ring].withUnsafeBytes { raw in
      var list: [Entry] = []
      var offset = 0
      do throws(CaptureError) {
        while let size = try PerfRecordParser.recordSize(in: raw, at: offset), offset + size <= raw.count {
          let record = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)])
          list.append(Entry(offset: offset, size: size, time: parser.time(of: record) ?? 0))
          offset += size
        }
      } catch {
        return .failure(error)
      }
      return .success(list)
    }
    switch result {
    case .success(let list): entries[ring] = list
    case .failure(let error): throw error
    }
  }
}

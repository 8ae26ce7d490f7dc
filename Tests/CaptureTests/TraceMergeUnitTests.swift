import Capture
import XCTest

/// Trace records go through the same merger as the sampler's: hits of two CPUs come out in
/// time order, and records that cannot be decoded are counted, not dropped silently.
final class TraceMergeUnitTests: XCTestCase {
  /// A trace ring's bytes, written as the kernel lays them out.
  private struct Stream {
    var bytes: [UInt8] = []
    mutating func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    /// A probe hit: header, id, pid, tid, time (32 bytes).
    mutating func hit(id: UInt64, tid: UInt32, time: UInt64) {
      append(UInt32(9))
      append(UInt16(0))
      append(UInt16(32))
      append(id)
      append(tid)
      append(tid)
      append(time)
    }
    /// A switch-out record: header, pid, tid, time, id (its sample_id trailer).
    mutating func switchOut(tid: UInt32, time: UInt64) {
      append(UInt32(14))
      append(UInt16(1 << 13))
      append(UInt16(32))
      append(tid)
      append(tid)
      append(time)
      append(UInt64(0))
    }
    /// A header with `type` and `size` followed by `size - 8` zero bytes (when size ≥ 8).
    mutating func raw(type: UInt32, size: UInt16) {
      append(type)
      append(UInt16(0))
      append(size)
      if size > 8 { bytes += [UInt8](repeating: 0, count: Int(size) - 8) }
    }
  }

  private func decoder() -> TraceRecordDecoder {
    var d = TraceRecordDecoder()
    d.register(id: 1, function: 0, kind: .entry)
    d.register(id: 2, function: 0, kind: .return)
    return d
  }

  func testTwoRingsMergeInTimeOrderWithHoldBack() {
    var cpu0 = Stream()
    cpu0.hit(id: 1, tid: 7, time: 100)
    cpu0.hit(id: 2, tid: 7, time: 300)
    var cpu1 = Stream()
    cpu1.switchOut(tid: 8, time: 200)
    cpu1.hit(id: 1, tid: 8, time: 400)
    var merger = RecordMerger(rings: 2, parser: decoder())
    merger.withBuffer(ring: 0) { $0 += cpu0.bytes }
    merger.withBuffer(ring: 1) { $0 += cpu1.bytes }
    var hits: [TraceHit] = []
    merger.emit(upTo: 350) { hits.append($0) }
    XCTAssertEqual(hits.map(\.time), [100, 200, 300])
    XCTAssertEqual(hits.map(\.kind), [.entry, .switchOut, .return])
    XCTAssertEqual(merger.bufferedBytes, 32)  // the hit at 400 is held back
    merger.flush { hits.append($0) }
    XCTAssertEqual(hits.map(\.time), [100, 200, 300, 400])
    XCTAssertEqual(merger.decoder.probeHits, 3)
    XCTAssertEqual(merger.unparsedRecords, 0)
  }

  func testRecordsHeldBackOverManyRoundsComeOutOnceInOrder() {
    // The merger skips handed-out bytes and compacts only past half its buffer: rounds that
    // hand out a little and hold back a lot must still hand out each record once, in order,
    // with the buffered count right after every round (and a corrupt header after a skip).
    var merger = RecordMerger(rings: 2, parser: decoder())
    var times: [UInt64] = []
    var next: UInt64 = 1
    for round in 0..<50 {
      for ring in 0..<2 {
        var s = Stream()
        for _ in 0..<(3 + round % 4) {
          s.hit(id: 1, tid: UInt32(ring + 1), time: next)
          next += 1
        }
        merger.withBuffer(ring: ring) { $0 += s.bytes }
      }
      let cutoff = next > 20 ? next - 15 : 0  // hold back the newest 15 records
      merger.emit(upTo: cutoff) { times.append($0.time) }
      XCTAssertEqual(times.last.map { $0 <= cutoff } ?? true, true)
      XCTAssertEqual(merger.bufferedBytes, Int(next - 1 - UInt64(times.count)) * 32, "round \(round)")
    }
    var tail = Stream()
    tail.raw(type: 9, size: 0)
    merger.withBuffer(ring: 0) { $0 += tail.bytes }
    XCTAssertEqual(merger.flush { times.append($0.time) }, 1)
    XCTAssertEqual(times, Array(1..<next), "every record once, in time order")
    XCTAssertEqual(merger.bufferedBytes, 0)
  }

  func testCorruptedStreamIsCountedAsUnparsed() {
    var ring = Stream()
    ring.hit(id: 1, tid: 7, time: 100)
    ring.raw(type: 9, size: 16)  // a sample too short for id, tid and time
    ring.raw(type: 14, size: 12)  // a switch record too short for its time
    ring.raw(type: 2, size: 16)  // a LOST record too short for its count
    ring.raw(type: 3, size: 40)  // a COMM record: not of interest, skipped
    ring.hit(id: 99, tid: 7, time: 150)  // an id no probe registered: counted apart
    ring.hit(id: 2, tid: 7, time: 200)
    ring.raw(type: 9, size: 0)  // an impossible header: it and the bytes after it are dropped
    ring.hit(id: 1, tid: 7, time: 300)

    var merger = RecordMerger(rings: 1, parser: decoder())
    merger.withBuffer(ring: 0) { $0 += ring.bytes }
    var hits: [TraceHit] = []
    XCTAssertEqual(merger.flush { hits.append($0) }, 4)
    XCTAssertEqual(hits.map(\.time), [100, 200])
    XCTAssertEqual(merger.unparsedRecords, 4)
    XCTAssertEqual(merger.decoder.unknownEvents, 1)
    XCTAssertEqual(merger.decoder.probeHits, 2)
    XCTAssertEqual(merger.bufferedBytes, 0)
    // The next drain starts on a record boundary again.
    var next = Stream()
    next.hit(id: 2, tid: 7, time: 400)
    merger.withBuffer(ring: 0) { $0 += next.bytes }
    merger.flush { hits.append($0) }
    XCTAssertEqual(hits.map(\.time), [100, 200, 400])
    XCTAssertEqual(merger.unparsedRecords, 4)

    // The decoder on its own (probe calibration) counts the same losses.
    var alone = decoder()
    var direct: [TraceHit] = []
    let used = ring.bytes.withUnsafeBytes { alone.decode($0, into: &direct) }
    XCTAssertEqual(used, ring.bytes.count)
    XCTAssertEqual(direct.map(\.time), [100, 200])
    XCTAssertEqual(alone.unparsedRecords, 4)
  }
}

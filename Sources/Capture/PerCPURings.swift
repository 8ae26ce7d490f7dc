/// The events of one event source, per CPU: an event that owns the CPU's ring buffer, and
/// further events writing into that ring (other threads of an attached process, other probes:
/// PERF_EVENT_IOC_SET_OUTPUT). The one place that holds, polls, disables and drains them.
///
/// A class so the non-copyable files and rings can live in arrays and be shared by the loop
/// that drains them.
final class PerCPURings {
  private final class Ring {
    let file: PerfEventFile
    var ring: RingBuffer
    init(file: consuming PerfEventFile, ring: consuming RingBuffer) {
      self.file = file
      self.ring = ring
    }
  }

  private final class Follower {
    let file: PerfEventFile
    /// Whether its count is one of `followerHits` (a probe, not a further thread's switch event).
    let countsHits: Bool
    init(file: consuming PerfEventFile, countsHits: Bool) {
      self.file = file
      self.countsHits = countsHits
    }
  }

  private var rings: [Ring] = []
  private var followers: [Follower] = []

  /// No events yet; `addOwner` maps a ring per CPU.
  init() {}

  /// Takes `file` as the owner of a new ring of `dataPages` pages; returns the ring's index.
  @discardableResult
  func addOwner(_ file: consuming PerfEventFile, dataPages: Int) throws(CaptureError) -> Int {
    let ring = try RingBuffer(file: file, dataPages: dataPages)
    rings.append(Ring(file: file, ring: ring))
    return rings.count - 1
  }

  /// Sends `file`'s records into ring `ring` and keeps it open; `countsHits` adds its count
  /// to `followerHits`.
  func addFollower(_ file: consuming PerfEventFile, ring: Int, countsHits: Bool = false) throws(CaptureError) {
    try file.setOutput(to: rings[ring].file)
    followers.append(Follower(file: file, countsHits: countsHits))
  }

  /// Opens an event like ring `ring`'s owner on each further thread in `tids`, writing into
  /// that ring; a thread that exited since its id was read is skipped.
  func addThreads(_ tids: some Sequence<Int32>, attributes: PerfEventAttr, cpu: Int32, ring: Int)
    throws(CaptureError)
  {
    for tid in tids {
      guard let other = try? PerfEventFile.open(attributes: attributes, pid: tid, cpu: cpu) else { continue }
      try addFollower(other, ring: ring)
    }
  }

  /// Rings (one per CPU opened).
  var count: Int { rings.count }

  /// Events opened: the ring owners and the followers whose count is a hit count.
  var countedEvents: Int { rings.count + followers.count(where: \.countsHits) }

  /// The ring owners' descriptors, to poll for wake-ups.
  var descriptors: [Int32] { rings.map { $0.file.descriptor } }

  /// Bytes drained from each ring so far.
  var drainedBytes: [UInt64] { rings.map { $0.ring.drainedBytes } }

  /// The data area of each ring in bytes (0 without rings).
  var dataBytes: Int { rings.first?.ring.dataBytes ?? 0 }

  /// Starts every event by hand (events opened disabled and not waiting for an exec).
  func enable() throws(CaptureError) {
    for r in rings { try r.file.enable() }
    for f in followers { try f.file.enable() }
  }

  /// Stops every event; records already written stay in the rings.
  func disable() {
    for r in rings { try? r.file.disable() }
    for f in followers { try? f.file.disable() }
  }

  /// Appends ring `ring`'s new bytes to `buffer`.
  func drain(ring: Int, into buffer: inout [UInt8]) {
    rings[ring].ring.drain(into: &buffer)
  }

  /// Appends each ring's new bytes to the merger's buffer of the same index.
  func drain<Decoder>(into merger: inout RecordMerger<Decoder>) {
    for i in rings.indices {
      _ = merger.withBuffer(ring: i) { rings[i].ring.drain(into: &$0) }
    }
  }

  /// The sum of the counts of the followers added with `countsHits`; nil when one cannot be read.
  func followerHits() -> UInt64? {
    var total: UInt64 = 0
    for f in followers where f.countsHits {
      guard let n = f.file.count() else { return nil }
      total &+= n
    }
    return total
  }

  /// Closes every event.
  func removeAll() {
    followers.removeAll()
    rings.removeAll()
  }
}

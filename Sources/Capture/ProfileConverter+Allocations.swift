import Glibc
import ProfileModel

/// The heap side of a `run --alloc` profile: per-row allocation estimates, the sampled blocks
/// still live per process, and the running in-use total with its peak.
///
/// Every estimate is unbiased for Poisson sampling over bytes as Go does it: a block of
/// `size` bytes is sampled with probability `1 - exp(-size/rate)`, so it stands for
/// `1 / (1 - exp(-size/rate))` blocks.
struct AllocationState {
  /// Go's heap profile sample types, in Go's order.
  static let sampleTypes = [
    ValueType(type: "alloc_objects", unit: "count"), ValueType(type: "alloc_space", unit: "bytes"),
    ValueType(type: "inuse_objects", unit: "count"), ValueType(type: "inuse_space", unit: "bytes"),
  ]
  /// Column of alloc_objects; the others follow.
  static let firstColumn = 2

  struct Block {
    var row: Int
    var objects: Double
    var bytes: Double
  }

  let rate: Int64
  private(set) var allocated: [Int: (objects: Double, bytes: Double)] = [:]
  private(set) var live: [Int32: [UInt64: Block]] = [:]
  private(set) var inUse: Double = 0
  private(set) var peak: Double = 0
  private(set) var peakTime: UInt64 = 0
  private(set) var records = 0
  private(set) var hellos = 0
  private var totalObjects: Double = 0
  private var totalBytes: Double = 0

  init(rate: Int64) { self.rate = max(1, rate) }

  /// How many blocks a sampled block of `size` bytes stands for.
  func scale(size: UInt64) -> Double {
    let r = Double(size) / Double(rate)
    return r > 40 ? 1 : 1 / (1 - exp(-r))
  }

  mutating func hello(pid: Int32) {
    hellos += 1
    // A second hello from a pid is an exec: the old image's heap is gone.
    if let blocks = live.removeValue(forKey: pid) {
      for block in blocks.values { inUse -= block.bytes }
    }
  }

  mutating func allocate(pid: Int32, address: UInt64, size: UInt64, row: Int, time: UInt64) {
    records += 1
    let s = scale(size: size)
    let block = Block(row: row, objects: s, bytes: Double(size) * s)
    allocated[row, default: (0, 0)].objects += block.objects
    allocated[row, default: (0, 0)].bytes += block.bytes
    totalObjects += block.objects
    totalBytes += block.bytes
    if let old = live[pid, default: [:]].updateValue(block, forKey: address) { inUse -= old.bytes }
    inUse += block.bytes
    if inUse > peak {
      peak = inUse
      peakTime = time
    }
  }

  mutating func free(pid: Int32, address: UInt64) {
    if let block = live[pid]?.removeValue(forKey: address) { inUse -= block.bytes }
  }

  /// Writes the heap columns into `profile` and its run's `allocations` summary.
  /// `start` is when the target started (CLOCK_MONOTONIC), for the time of the peak.
  func finish(_ profile: inout Profile, start: UInt64?) {
    let c = Self.firstColumn
    for (row, a) in allocated {
      profile.samples.add(Int64(a.objects.rounded()), toSample: row, column: c)
      profile.samples.add(Int64(a.bytes.rounded()), toSample: row, column: c + 1)
    }
    var held: [Int: (objects: Double, bytes: Double)] = [:]
    for blocks in live.values {
      for block in blocks.values {
        held[block.row, default: (0, 0)].objects += block.objects
        held[block.row, default: (0, 0)].bytes += block.bytes
      }
    }
    for (row, h) in held {
      profile.samples.add(Int64(h.objects.rounded()), toSample: row, column: c + 2)
      profile.samples.add(Int64(h.bytes.rounded()), toSample: row, column: c + 3)
    }
    var summary = profile.run.allocations ?? AllocationSummary(rate: rate)
    summary.rate = rate
    summary.processes = max(summary.processes, hellos)
    summary.sampledAllocations = records
    summary.allocatedBytes = Int64(totalBytes.rounded())
    summary.allocatedObjects = Int64(totalObjects.rounded())
    summary.inUseBytes = Int64(held.values.reduce(0) { $0 + $1.bytes }.rounded())
    summary.peakInUseBytes = Int64(peak.rounded())
    if let start, peakTime > start { summary.peakNanos = Int64(peakTime - start) }
    profile.run.allocations = summary
  }
}

extension ProfileConverter {
  /// Applies one record of the allocation recorder: its stack goes through the same address
  /// spaces, locations and labels as CPU samples, its values into the heap columns.
  public mutating func consume(allocation record: AllocationRecord) {
    guard allocationState != nil else { return }
    switch record.kind {
    case .hello:
      allocationState?.hello(pid: record.pid)
    case .free:
      allocationState?.free(pid: record.pid, address: record.address)
    case .allocation:
      guard record.size > 0 else { break }
      let space = spaces[record.pid] ?? AddressSpace()
      var node = StackID.root
      // Every frame is a return address: minus one puts it inside the call, as perf does.
      for address in record.frames.reversed() {
        let loc = location(address: address &- 1, kernel: false, space: space)
        node = profile.stacks.child(of: node, location: loc)
      }
      let row = row(stack: node, labels: labelSet(pid: record.pid, tid: record.tid))
      allocationState?.allocate(
        pid: record.pid, address: record.address, size: record.size, row: row, time: record.time)
    }
  }
}

import Capture
import ProfileModel
import XCTest

/// The heap side of the converter on hand-made recorder records: Go's four columns, the
/// unbiasing factor, frees, exec and the summary.
final class AllocationConverterTests: XCTestCase {
  private func record(
    _ kind: AllocationRecord.Kind, pid: Int32 = 10, address: UInt64 = 0, size: UInt64 = 0, time: UInt64 = 0,
    frames: [UInt64] = [0x1001]
  ) -> AllocationRecord {
    AllocationRecord(kind: kind, pid: pid, tid: pid, time: time, address: address, size: size, frames: frames)
  }

  private func columns(_ p: Profile) -> [String: Int64] {
    var result: [String: Int64] = [:]
    for (i, t) in p.sampleTypes.enumerated() { result[t.type] = p.total(column: i) }
    return result
  }

  func testHeapColumnsAreUnbiasedForTheRateAndFreesLeaveInUse() {
    var c = ProfileConverter(frequency: 999, allocationRate: 1000)
    c.consume(allocation: record(.hello))
    c.consume(allocation: record(.allocation, address: 0xa000, size: 1000, time: 5))  // p = 1 - e^-1
    c.consume(allocation: record(.allocation, address: 0xb000, size: 100_000, time: 6, frames: [0x2001, 0x1001]))
    c.consume(allocation: record(.free, address: 0xa000))
    c.consume(allocation: record(.free, address: 0xdead))  // not sampled: ignored
    let p = c.makeProfile(run: RunInfo())
    XCTAssertEqual(
      p.sampleTypes.map(\.description),
      [
        "samples/count", "cpu/nanoseconds", "alloc_objects/count", "alloc_space/bytes", "inuse_objects/count",
        "inuse_space/bytes",
      ])
    let scale = 1 / (1 - exp(-1.0))
    let totals = columns(p)
    XCTAssertEqual(totals["alloc_space"], Int64((1000 * scale).rounded()) + 100_000)
    XCTAssertEqual(totals["alloc_objects"], Int64(scale.rounded()) + 1)
    XCTAssertEqual(totals["inuse_space"], 100_000, "the 1000-byte block was freed")
    XCTAssertEqual(totals["inuse_objects"], 1)
    XCTAssertEqual(totals["samples"], 0, "no CPU samples")
    XCTAssertEqual(p.samples.count, 2, "two stacks")
    let summary = p.run.allocations
    XCTAssertEqual(summary?.processes, 1)
    XCTAssertEqual(summary?.sampledAllocations, 2)
    XCTAssertEqual(summary?.inUseBytes, 100_000)
    XCTAssertEqual(summary?.peakInUseBytes, Int64((1000 * scale).rounded()) + 100_000)
  }

  func testExecDropsTheOldImagesBlocksButForkedChildrenKeepTheirs() {
    var c = ProfileConverter(frequency: 999, allocationRate: 1)
    c.consume(allocation: record(.hello, pid: 10))
    c.consume(allocation: record(.allocation, pid: 10, address: 0xa000, size: 500))
    c.consume(allocation: record(.hello, pid: 11))  // a forked child
    c.consume(allocation: record(.allocation, pid: 11, address: 0xa000, size: 700))
    c.consume(allocation: record(.hello, pid: 10))  // pid 10 execs
    let p = c.makeProfile(run: RunInfo())
    XCTAssertEqual(columns(p)["alloc_space"], 1200)
    XCTAssertEqual(columns(p)["inuse_space"], 700, "the same address in another process is another block")
  }

  func testWithoutAllocationsTheProfileKeepsItsTwoColumns() {
    var c = ProfileConverter(frequency: 999)
    c.consume(allocation: record(.allocation, address: 1, size: 10))
    let p = c.makeProfile(run: RunInfo())
    XCTAssertEqual(p.sampleTypes.count, 2)
    XCTAssertEqual(p.samples.count, 0)
    XCTAssertNil(p.run.allocations)
  }
}

import BPFObjects
import Capture
import PerfshTestSupport
import XCTest

/// The BPF plumbing: programs compiled into perfsh at build time, loaded through libbpf and
/// attached to perfsh's own uprobe events.
final class BPFTests: XCTestCase {
  func testEmbeddedObjectIsAnELFForTheBPFMachine() {
    let bytes = BPFObjects.selftest
    XCTAssertGreaterThan(bytes.count, 64)
    XCTAssertEqual(Array(bytes.prefix(4)), [0x7F, 0x45, 0x4C, 0x46])
    XCTAssertEqual(UInt16(bytes[18]) | UInt16(bytes[19]) << 8, 247, "e_machine must be EM_BPF")
  }

  func testDamagedObjectIsAClearError() {
    var bytes = BPFObjects.selftest
    bytes.removeLast(bytes.count / 2)
    XCTAssertThrowsError(try BPFObject(bytes: bytes, name: "damaged")) { error in
      let text = String(describing: error)
      XCTAssertTrue(text.hasPrefix("BPF open of damaged failed: "), text)
    }
  }

  func testHitCounterCountsEveryCallInTheKernel() throws {
    try PerfEvents.skipUnlessAvailable()
    guard BPFSupport.isAvailable else { throw XCTSkip("BPF is not available here: \(BPFSupport.availability)") }
    let calls = try Workloads.binary("calls")
    let inner = try TraceWorkloads.offset(of: "inner", in: calls)
    let outer = try TraceWorkloads.offset(of: "outer", in: calls)
    let counter = try BPFHitCounter(sites: [
      .init(path: calls, offset: inner, isReturn: false), .init(path: calls, offset: inner, isReturn: true),
      .init(path: calls, offset: outer, isReturn: false),
    ])
    let capture = try CommandCapture().run(CaptureRequest(arguments: [calls]), companion: counter, sample: false)
    XCTAssertEqual(capture.profile.run.termination, .exited(0))
    XCTAssertEqual(try counter.counts(), [40_000, 40_000, 400])
    counter.release()
    let events = (try? String(contentsOfFile: "/sys/kernel/tracing/uprobe_events", encoding: .utf8)) ?? ""
    XCTAssertFalse(events.contains("perfsh_\(getpid())/b"), events)
  }
}

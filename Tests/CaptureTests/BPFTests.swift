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

  /// libbpf's perf-event link closes the descriptor it was given when it is destroyed; perfsh's
  /// events own theirs, so the link must hold a duplicate. Otherwise the event's own close is a
  /// second one — and a link destroyed on a background queue closes whatever descriptor reused
  /// the number in between (it closed the next run's probe events: 0 traced calls).
  func testDestroyingALinkLeavesTheEventsDescriptorOpen() throws {
    try PerfEvents.skipUnlessAvailable()
    guard BPFSupport.isAvailable else { throw XCTSkip("BPF is not available here: \(BPFSupport.availability)") }
    let event = try PerfEventFile.open(
      attributes: PerfEventFile.cpuClockAttributes(frequency: 99, excludeKernel: true, wakeupBytes: 1), pid: 0, cpu: -1)
    let object = try BPFObject(bytes: BPFObjects.oncpu, name: "perfsh_oncpu")
    try object.setConstants(try KernelBTF.taskPIDOffset())
    try object.load()
    try object.attach("keep_target", toPerfEvent: event.descriptor)
    object.close()
    XCTAssertNotEqual(fcntl(event.descriptor, F_GETFD), -1, "the event's descriptor was closed by the link")
    var closedInBackground = false
    let other = try BPFObject(bytes: BPFObjects.oncpu, name: "perfsh_oncpu")
    try other.setConstants(try KernelBTF.taskPIDOffset())
    try other.load()
    try other.attach("keep_target", toPerfEvent: event.descriptor)
    other.closeInBackground()
    BackgroundRelease.waitForAll()
    closedInBackground = fcntl(event.descriptor, F_GETFD) == -1
    XCTAssertFalse(closedInBackground, "a background close closed the event's descriptor")
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
    BackgroundRelease.waitForAll()  // probes are released in the background; perfsh waits at exit
    let events = (try? String(contentsOfFile: "/sys/kernel/tracing/uprobe_events", encoding: .utf8)) ?? ""
    XCTAssertFalse(events.contains("perfsh_\(getpid())/b"), events)
  }
}

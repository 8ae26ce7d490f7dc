import BPFObjects
import Capture
import Foundation
import PerfshTestSupport
import XCTest

/// The steal clock the BPF programs read (KVM's per-CPU steal time, found through the CPU's run
/// queue at offsets from the kernel's BTF) is the kernel's own steal time: per CPU, the value
/// last read lies between the steal /proc/stat counted for that CPU before the run and after it.
/// A wrong address reads some other per-CPU word, nowhere near that window.
final class StealClockTests: XCTestCase {
  /// USER_HZ: /proc/stat's unit.
  private static let tick: UInt64 = 10_000_000

  /// Per CPU, /proc/stat's steal column (ticks).
  private func procStatSteal() throws -> [Int: UInt64] {
    var steal: [Int: UInt64] = [:]
    for line in try String(contentsOfFile: "/proc/stat", encoding: .utf8).split(separator: "\n") {
      let f = line.split(separator: " ")
      guard f.count > 8, f[0].hasPrefix("cpu"), let cpu = Int(f[0].dropFirst(3)), let s = UInt64(f[8]) else { continue }
      steal[cpu] = s
    }
    return steal
  }

  func testTheBPFStealClockIsTheKernelsStealTime() throws {
    try PerfEvents.skipUnlessAvailable()
    guard BPFSupport.isAvailable else { throw XCTSkip("BPF is not available here: \(BPFSupport.availability)") }
    guard KernelBTF.stealClockLayout() != nil else { throw XCTSkip("the kernel has no KVM steal clock") }
    let binary = try Workloads.binary("percall")
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("steal-\(getpid()).txt").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    let probes = [
      TraceProbe(path: binary, fileOffset: try TraceWorkloads.offset(of: "pc_small", in: binary), probesReturns: true)
    ]
    let tracer = try BPFCallTracer(probes: probes)
    defer { tracer.release() }
    let before = try procStatSteal()
    _ = try CommandCapture().run(CaptureRequest(arguments: [binary, out]), companion: tracer, sample: false)
    let readings = try tracer.stealClockReadings()
    let after = try procStatSteal()
    print("steal clocks read (ns) \(readings); /proc/stat before \(before), after \(after) (ticks)")
    XCTAssertTrue(readings.contains { $0 > 0 }, "no CPU read its steal clock: \(readings)")
    for (cpu, reading) in readings.enumerated() where reading > 0 {
      let low = try XCTUnwrap(before[cpu]) * Self.tick
      let high = (try XCTUnwrap(after[cpu]) + 100) * Self.tick
      XCTAssertTrue(
        reading >= low && reading <= high,
        "CPU \(cpu): read \(reading) ns, /proc/stat \(low)...\(high) ns")
    }
    XCTAssertEqual(tracer.result().statistics.first?.calls, 5_000)
  }
}

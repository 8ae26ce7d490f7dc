import Foundation
import PerfshTestSupport
import XCTest

@testable import Capture

/// Dumps the raw bytes the kernel writes into perfsh's per-CPU rings while a workload runs,
/// so parser tests read what the kernel really wrote instead of bytes laid out in the order
/// the parser reads them. Run once to (re)make Tests/CaptureTests/Fixtures (see its README):
///   PERFSH_RECORD_KERNEL_FIXTURES=1 swift test --skip-build --filter KernelFixtureRecorder
enum KernelFixtureRecorder {
  /// One ring of one CPU.
  final class Ring {
    let file: PerfEventFile
    var ring: RingBuffer
    var bytes: [UInt8] = []

    init(file: consuming PerfEventFile, ring: consuming RingBuffer) {
      self.file = file
      self.ring = ring
    }

    func drain() { _ = ring.drain(into: &bytes) }
  }

  /// How a recording drains its rings.
  enum Draining {
    /// Every few milliseconds until the workload exits: nothing is lost.
    case continuously
    /// Not while the one-page rings fill up, then once, then a little more, so the kernel
    /// writes PERF_RECORD_LOST for what it dropped; the events are then disabled.
    case lateToLoseRecords
  }

  /// The rings' bytes of `arguments` run under perfsh's cpu-clock attributes, one ring per
  /// CPU concatenated in CPU order (each ring is a complete stream of whole records).
  static func record(
    _ arguments: [String], frequency: Int, userStackBytes: Int = 0, dataPages: Int = 64, draining: Draining = .continuously
  ) throws -> [UInt8] {
    var child = try SuspendedChild.launch(
      arguments: arguments, environment: ProcessInfo.processInfo.environment.map { "\($0)=\($1)" },
      workingDirectory: nil)
    let dataBytes = dataPages * SystemInfo.pageSize
    let attr = PerfEventFile.cpuClockAttributes(
      frequency: frequency, excludeKernel: !SystemInfo.isRoot, wakeupBytes: dataBytes / 4, userStackBytes: userStackBytes)
    var rings: [Ring] = []
    for cpu in try SystemInfo.onlineCPUs() {
      let file = try PerfEventFile.open(attributes: attr, pid: child.pid, cpu: cpu)
      let ring = try RingBuffer(file: file, dataPages: dataPages)
      rings.append(Ring(file: file, ring: ring))
    }
    try child.resume()
    switch draining {
    case .continuously:
      while try child.wait(blocking: false) == nil {
        rings.forEach { $0.drain() }
        usleep(5_000)
      }
    case .lateToLoseRecords:
      usleep(150_000)
      rings.forEach { $0.drain() }
      usleep(30_000)
      rings.forEach { try? $0.file.disable() }
      _ = try child.wait(blocking: true)
    }
    rings.forEach { $0.drain() }
    return rings.flatMap(\.bytes)
  }
}

/// Re-records the committed kernel fixtures when asked (PERFSH_RECORD_KERNEL_FIXTURES=1);
/// skipped otherwise, so the suite reads the committed bytes.
final class KernelFixtureRecordingTests: XCTestCase {
  func testRecordKernelFixtures() throws {
    guard ProcessInfo.processInfo.environment["PERFSH_RECORD_KERNEL_FIXTURES"] == "1" else {
      throw XCTSkip("set PERFSH_RECORD_KERNEL_FIXTURES=1 to re-record Tests/CaptureTests/Fixtures")
    }
    try PerfEvents.skipUnlessAvailable()
    let forker = try Workloads.path("forker")
    let fixtures = KernelFixtures.directory
    try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
    func write(_ bytes: [UInt8], _ name: String) throws {
      try Data(bytes).write(to: fixtures.appendingPathComponent(name))
    }
    try write(try KernelFixtureRecorder.record([forker], frequency: 200), KernelFixtures.callchain)
    try write(try KernelFixtureRecorder.record([forker], frequency: 50, userStackBytes: 512), KernelFixtures.userStack)
    try write(
      try KernelFixtureRecorder.record(
        [forker], frequency: 20_000, userStackBytes: 2048, dataPages: 1, draining: .lateToLoseRecords),
      KernelFixtures.lost)
  }
}

/// The committed fixtures and how to parse them.
enum KernelFixtures {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
  /// forker at 200 Hz, frame-pointer call chains: samples, MMAP2, COMM, FORK, EXIT.
  static let callchain = "kernel-cpu-clock-forker.bin"
  /// forker at 50 Hz with user registers and 512 bytes of user stack per sample.
  static let userStack = "kernel-user-stack-forker.bin"
  /// forker at 20 kHz into one-page rings drained late: PERF_RECORD_LOST.
  static let lost = "kernel-lost-forker.bin"

  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
  }
}

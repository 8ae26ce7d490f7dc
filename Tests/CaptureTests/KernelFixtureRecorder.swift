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
    _ arguments: [String], frequency: Int, userStackBytes: Int = 0, dataPages: Int = 64,
    draining: Draining = .continuously
  ) throws -> [UInt8] {
    var child = try SuspendedChild.launch(
      arguments: arguments, environment: ProcessInfo.processInfo.environment.map { "\($0)=\($1)" },
      workingDirectory: nil)
    let dataBytes = dataPages * SystemInfo.pageSize
    let attr = PerfEventFile.cpuClockAttributes(
      frequency: frequency, excludeKernel: !SystemInfo.isRoot, wakeupBytes: dataBytes / 4,
      userStackBytes: userStackBytes)
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

  /// The rings' bytes of uprobe entry hits on the function at `fileOffset` of `arguments[0]`
  /// (the uprobe PMU, one event per CPU), after a header: the number of events and each
  /// event's id (little-endian UInt64s), which the samples carry.
  static func recordUprobe(_ arguments: [String], fileOffset: UInt64) throws -> [UInt8] {
    let pmu = try UprobePMU.current()
    var child = try SuspendedChild.launch(
      arguments: arguments, environment: ProcessInfo.processInfo.environment.map { "\($0)=\($1)" },
      workingDirectory: nil)
    guard let path = strdup(arguments[0]) else { throw XCTSkip("strdup failed") }
    defer { free(path) }
    let dataPages = 64
    let attr = pmu.attributes(
      pathPointer: path, offset: fileOffset, isReturn: false, wakeupBytes: dataPages * SystemInfo.pageSize / 4)
    var rings: [Ring] = []
    var ids: [UInt64] = []
    for cpu in try SystemInfo.onlineCPUs() {
      let file = try PerfEventFile.open(attributes: attr, pid: child.pid, cpu: cpu)
      ids.append(try file.eventID())
      let ring = try RingBuffer(file: file, dataPages: dataPages)
      rings.append(Ring(file: file, ring: ring))
    }
    try child.resume()
    while try child.wait(blocking: false) == nil {
      rings.forEach { $0.drain() }
      usleep(5_000)
    }
    rings.forEach { $0.drain() }
    var header: [UInt8] = []
    for word in [UInt64(ids.count)] + ids { withUnsafeBytes(of: word.littleEndian) { header += $0 } }
    return header + rings.flatMap(\.bytes)
  }

  /// The file offset of `symbol`'s code in `binary`, from `nm` and the LOAD segments of `readelf -lW`.
  static func fileOffset(of symbol: String, in binary: String) throws -> UInt64 {
    let nm = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/nm"), [binary])
    guard let line = nm.stdout.split(separator: "\n").first(where: { $0.hasSuffix(" T \(symbol)") }),
      let address = UInt64(line.split(separator: " ")[0], radix: 16)
    else { throw XCTSkip("nm found no \(symbol) in \(binary)") }
    let readelf = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/readelf"), ["-lW", binary])
    for row in readelf.stdout.split(separator: "\n") where row.trimmingCharacters(in: .whitespaces).hasPrefix("LOAD") {
      let f = row.split(separator: " ")
      guard f.count >= 6, let offset = UInt64(f[1].dropFirst(2), radix: 16),
        let vaddr = UInt64(f[2].dropFirst(2), radix: 16),
        let size = UInt64(f[4].dropFirst(2), radix: 16), address >= vaddr, address < vaddr + size
      else { continue }
      return address - vaddr + offset
    }
    throw XCTSkip("no LOAD segment holds \(symbol)")
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
    let calls = try Workloads.path("calls")
    let outer = try KernelFixtureRecorder.fileOffset(of: "outer", in: calls)
    try write(try KernelFixtureRecorder.recordUprobe([calls, "0", "0"], fileOffset: outer), KernelFixtures.uprobe)
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
  /// `calls 0 0` with a uprobe (the uprobe PMU) on the entry of outer(), called 400 times;
  /// a header of event ids comes first (see `KernelFixtureRecorder.recordUprobe`).
  static let uprobe = "kernel-uprobe-calls-outer.bin"
  /// forker at 20 kHz into one-page rings drained late: PERF_RECORD_LOST.
  static let lost = "kernel-lost-forker.bin"

  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
  }
}

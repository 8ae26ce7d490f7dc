import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

/// The real sampler on real child processes (needs perf events: root or a low paranoid level).
final class CommandCaptureTests: XCTestCase {
  override func setUpWithError() throws {
    try PerfEvents.skipUnlessAvailable()
  }

  func testRatioWorkloadSharesAndCPUTotal() throws {
    let bin = try Workloads.binary("ratio")
    let result = try CommandCapture().run(CaptureRequest(arguments: [bin]))
    let p = result.profile
    XCTAssertEqual(p.run.termination, .exited(0))
    XCTAssertEqual(p.run.command, [bin])
    XCTAssertFalse(p.run.interrupted)
    XCTAssertGreaterThan(result.sampleRecords, 500)
    XCTAssertEqual(result.kernelFrames, SystemInfo.isRoot || (SystemInfo.perfEventParanoid() ?? 2) <= 1)
    XCTAssertEqual(result.cpus.count, result.ringBytesDrained.count)
    XCTAssertNoThrow(try p.validate())

    // Sampled CPU (sum of cpu-clock periods) agrees with the kernel's rusage CPU time.
    let rusage = try XCTUnwrap(p.run.cpuNanos)
    let sampled = p.total(column: 1)
    XCTAssertEqual(
      Double(sampled), Double(rusage), accuracy: Double(rusage) * 0.1, "sampled \(sampled) vs rusage \(rusage)")
    let elapsed = try XCTUnwrap(p.run.elapsedNanos)
    XCTAssertGreaterThan(elapsed, 0)
    XCTAssertEqual(p.durationNanos, elapsed)
    XCTAssertGreaterThan(p.timeNanos, 0)

    let (per, total) = try Workloads.flatCPU(p, binary: bin)
    let share = { (f: String) in 100 * Double(per[f] ?? 0) / Double(total) }
    XCTAssertEqual(share("hot60"), 60, accuracy: 3, "\(per)")
    XCTAssertEqual(share("warm30"), 30, accuracy: 3, "\(per)")
    XCTAssertEqual(share("cool10"), 10, accuracy: 3, "\(per)")
    // The kernel's MMAP2 build id (Linux 5.12+) is kept on the binary's mapping.
    let expected = try XCTUnwrap(try Workloads.buildID(bin))
    let mapping = try XCTUnwrap(p.mappings.first { p.string($0.filename).hasSuffix("/ratio") })
    XCTAssertEqual(p.string(mapping.buildID), expected)
    // Frame-pointer stacks reach main: the caller of the hot functions is in the profile.
    XCTAssertTrue(try Workloads.stacks(p, binary: bin, contain: "main"))
  }

  func testThreadsKeepPerThreadLabels() throws {
    let bin = try Workloads.binary("threads")
    let p = try CommandCapture().run(CaptureRequest(arguments: [bin])).profile
    let alpha = try Workloads.flatCPU(p, binary: bin) { $0["thread"] == "worker-alpha" }
    let beta = try Workloads.flatCPU(p, binary: bin) { $0["thread"] == "worker-beta" }
    let a = alpha.perFunction["alpha_work"] ?? 0
    let b = beta.perFunction["beta_work"] ?? 0
    XCTAssertGreaterThan(a, 0, "alpha_work sampled on worker-alpha")
    XCTAssertGreaterThan(b, 0, "beta_work sampled on worker-beta")
    XCTAssertNil(alpha.perFunction["beta_work"], "beta_work never runs on worker-alpha")
    XCTAssertNil(beta.perFunction["alpha_work"], "alpha_work never runs on worker-beta")
    XCTAssertGreaterThan(a, b, "alpha does twice beta's work")
    // Two threads besides main, with distinct tids in one pid.
    var tids = Set<String>()
    var pids = Set<String>()
    for i in 0..<p.samples.count {
      let l = Workloads.labels(p, sample: i)
      if let t = l["tid"] { tids.insert(t) }
      if let pid = l["pid"] { pids.insert(pid) }
    }
    XCTAssertEqual(pids.count, 1)
    XCTAssertGreaterThanOrEqual(tids.count, 2)
  }

  func testForkedChildIsSampled() throws {
    let bin = try Workloads.binary("forker")
    let result = try CommandCapture().run(CaptureRequest(arguments: [bin]))
    let p = result.profile
    XCTAssertEqual(p.run.termination, .exited(0))
    let (per, _) = try Workloads.flatCPU(p, binary: bin)
    XCTAssertGreaterThan(per["child_work"] ?? 0, 0, "\(per)")
    XCTAssertGreaterThan(per["parent_work"] ?? 0, 0, "\(per)")
    XCTAssertGreaterThan(per["child_work"] ?? 0, per["parent_work"] ?? 0, "the child does 3x the parent's work")
    let childPIDs = Set((0..<p.samples.count).compactMap { Workloads.labels(p, sample: $0)["pid"] })
    XCTAssertGreaterThanOrEqual(childPIDs.count, 2, "parent and child pids")
    XCTAssertTrue(childPIDs.contains("\(result.pid)"))
  }

  func testCrashKeepsSamplesAndReportsTheSignal() throws {
    let bin = try Workloads.binary("crash")
    let p = try CommandCapture().run(CaptureRequest(arguments: [bin])).profile
    XCTAssertEqual(p.run.termination, .signaled(11))
    XCTAssertEqual(p.run.termination?.shellStatus, 139)
    XCTAssertEqual(p.run.termination?.description, "killed by SIGSEGV")
    let (per, _) = try Workloads.flatCPU(p, binary: bin)
    XCTAssertGreaterThan(per["crash_work"] ?? 0, 0)
  }

  func testTimeoutStopsTheTargetAndKeepsTheSession() throws {
    let bin = try Workloads.binary("sleeper")
    let result = try CommandCapture().run(CaptureRequest(arguments: [bin], timeout: .milliseconds(700)))
    let p = result.profile
    XCTAssertTrue(p.run.interrupted)
    XCTAssertEqual(p.run.termination, .signaled(SIGTERM))
    let (per, _) = try Workloads.flatCPU(p, binary: bin)
    XCTAssertGreaterThan(per["sleeper_spin"] ?? 0, 0)
  }

  func testTimeoutEscalatesToSIGKILLWhenSIGTERMIsIgnored() throws {
    // `trap "" TERM` makes the shell (and the sleep it runs) ignore SIGTERM.
    let request = CaptureRequest(
      arguments: ["sh", "-c", "trap '' TERM; sleep 30"], timeout: .milliseconds(300), killGrace: .milliseconds(300))
    let p = try CommandCapture().run(request).profile
    XCTAssertTrue(p.run.interrupted)
    XCTAssertEqual(p.run.termination, .signaled(SIGKILL))
  }

  func testSIGINTSentToPerfshIsForwardedAndTheSessionKept() throws {
    let bin = try Workloads.binary("sleeper")
    let result = try CommandCapture().run(CaptureRequest(arguments: [bin], timeout: .seconds(20))) { _ in
      // Runs once the relay is installed: a kill(2) to perfsh itself, as `kill -INT` would.
      Thread.detachNewThread {
        usleep(400_000)
        kill(getpid(), SIGINT)
      }
    }
    XCTAssertTrue(result.profile.run.interrupted)
    XCTAssertEqual(result.profile.run.termination, .signaled(SIGINT))
    XCTAssertGreaterThan(result.sampleRecords, 0)
  }

  func testFrequencyOutsideTheKernelLimitsIsRefusedBeforeLaunch() {
    XCTAssertThrowsError(try CommandCapture().run(CaptureRequest(arguments: ["true"], frequency: 0))) { error in
      XCTAssertEqual(error as? CaptureError, .badFrequency(0))
    }
    if let maximum = SystemInfo.maxSampleRate() {
      XCTAssertThrowsError(try CommandCapture().run(CaptureRequest(arguments: ["true"], frequency: maximum + 1))) {
        error in
        XCTAssertEqual(error as? CaptureError, .frequencyTooHigh(requested: maximum + 1, maximum: maximum))
      }
    }
  }

  func testCommandNotFoundIs127() {
    XCTAssertThrowsError(try CommandCapture().run(CaptureRequest(arguments: ["perfsh-no-such-command-x"]))) { error in
      XCTAssertEqual(error as? CaptureError, .commandNotFound(name: "perfsh-no-such-command-x"))
      XCTAssertEqual((error as? CaptureError)?.exitStatus, 127)
      XCTAssertEqual("\(error)", "command not found: perfsh-no-such-command-x")
    }
  }

  func testNotExecutableIs126() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-capture-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("plain")
    try "echo hi\n".write(to: file, atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try CommandCapture().run(CaptureRequest(arguments: [file.path]))) { error in
      XCTAssertEqual((error as? CaptureError)?.exitStatus, 126, "\(error)")
    }
    // Through PATH, too.
    XCTAssertThrowsError(
      try CommandCapture().run(CaptureRequest(arguments: ["plain"], environment: ["PATH": dir.path]))
    ) { error in
      XCTAssertEqual((error as? CaptureError)?.exitStatus, 126, "\(error)")
    }
    // A file that is executable but not a valid program: exec fails with ENOEXEC -> 126.
    let junk = dir.appendingPathComponent("junk")
    try Data([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]).write(to: junk)
    chmod(junk.path, 0o755)
    XCTAssertThrowsError(try CommandCapture().run(CaptureRequest(arguments: [junk.path]))) { error in
      XCTAssertEqual((error as? CaptureError)?.exitStatus, 126, "\(error)")
    }
  }

  func testEnvironmentWorkingDirectoryAndExitCode() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-cwd-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let request = CaptureRequest(
      arguments: [
        "sh", "-c", "[ \"$PERFSH_TEST_VAR\" = hello ] && [ \"$(pwd)\" = \"$1\" ] && exit 3; exit 9", "sh", dir.path,
      ],
      environment: ["PERFSH_TEST_VAR": "hello"], workingDirectory: dir.path)
    let p = try CommandCapture().run(request).profile
    XCTAssertEqual(p.run.termination, .exited(3))
  }

  func testLostRecordsAreCountedWithATinyRing() throws {
    // Two busy threads on both CPUs at 50 kHz into one-page rings: the kernel drops tens of
    // thousands of records every run (one thread at 20 kHz sometimes drained in time).
    let bin = try Workloads.binary("threads")
    let result = try CommandCapture().run(CaptureRequest(arguments: [bin], frequency: 50_000, ringDataPages: 1))
    XCTAssertGreaterThan(result.lostRecords, 0, "one-page rings at 50 kHz overflow")
    XCTAssertEqual(result.profile.run.lostRecords, Int64(result.lostRecords))
    XCTAssertGreaterThan(result.sampleRecords, 0)
  }
}

extension CommandCaptureTests {
  func testMissingWorkingDirectoryIsAnError() {
    XCTAssertThrowsError(
      try CommandCapture().run(CaptureRequest(arguments: ["true"], workingDirectory: "/nonexistent/perfsh-dir"))
    ) { error in
      XCTAssertEqual(
        error as? CaptureError, .changeDirectory(path: "/nonexistent/perfsh-dir", errno: .noSuchFileOrDirectory))
    }
  }
}

extension CommandCaptureTests {
  func testAnonymousCodeAndVDSOGetTheirPseudoMappings() throws {
    let bin = try Workloads.binary("jit")
    let result = try CommandCapture().run(CaptureRequest(arguments: [bin]))
    let p = result.profile
    let mapFile = "/tmp/perf-\(result.pid).map"
    defer { unlink(mapFile) }
    var leafCPU: [String: Int64] = [:]
    for i in 0..<p.samples.count where p.samples.stacks[i] != .root {
      let loc = p.location(p.stacks.location(of: p.samples.stacks[i]))
      let name = loc.mapping.map { p.string(p.mapping($0).filename) } ?? "(unmapped)"
      leafCPU[name, default: 0] += p.samples.value(i, 1)
    }
    XCTAssertGreaterThan(leafCPU[mapFile] ?? 0, 0, "JIT loop samples map to \(mapFile): \(leafCPU)")
    XCTAssertGreaterThan(leafCPU["[vdso]"] ?? 0, 0, "clock_gettime samples map to [vdso]: \(leafCPU)")
    let jit = try XCTUnwrap(p.mappings.first { p.string($0.filename) == mapFile })
    XCTAssertEqual(jit.limit - jit.start, 4096)
    XCTAssertEqual(jit.fileOffset, 0)
  }
}

extension CommandCaptureTests {
  func testShellPipelineGrandchildrenAreSampledAndCounted() throws {
    let ratio = try Workloads.binary("ratio")
    let threads = try Workloads.binary("threads")
    let p = try CommandCapture().run(CaptureRequest(arguments: ["sh", "-c", "'\(ratio)' | cat; '\(threads)'"])).profile
    XCTAssertEqual(p.run.termination, .exited(0))
    XCTAssertGreaterThan(try Workloads.flatCPU(p, binary: ratio).perFunction["hot60"] ?? 0, 0)
    XCTAssertGreaterThan(try Workloads.flatCPU(p, binary: threads).perFunction["alpha_work"] ?? 0, 0)
    // rusage of sh includes the children it waited for; sampled CPU agrees with it.
    let rusage = Double(try XCTUnwrap(p.run.cpuNanos))
    XCTAssertEqual(Double(p.total(column: 1)), rusage, accuracy: rusage * 0.1)
  }
}

extension CommandCaptureTests {
  /// The target's CPU time is its own: the child shares perfsh's memory until its exec
  /// (clone(CLONE_VM)), so the exec has no copy of perfsh's address space to tear down on the
  /// target's clock. With fork(), `true` launched from a process holding 1 GiB of touched
  /// memory was charged about 30 ms (page tables and page references of the copy, measured
  /// here); launched from a small one it costs well under 5 ms.
  func testTargetCPUTimeDoesNotPayForPerfshsMemory() throws {
    let size = 1 << 30
    guard let block = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      block != MAP_FAILED
    else { throw XCTSkip("cannot map 1 GiB here") }
    defer { munmap(block, size) }
    memset(block, 1, size)  // touched: resident, so a fork would have to copy its page tables
    var cpu: [Int64] = []
    for _ in 0..<3 {
      let p = try CommandCapture().run(CaptureRequest(arguments: ["true"])).profile
      XCTAssertEqual(p.run.termination, .exited(0))
      cpu.append(p.run.cpuNanos ?? .max)
    }
    // The smallest of three, so one run slowed by the machine does not decide it.
    XCTAssertLessThan(cpu.min() ?? .max, 5_000_000, "CPU time of `true` in ns per run: \(cpu)")
  }
}

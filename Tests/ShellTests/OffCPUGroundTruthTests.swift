import Analysis
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// Ground truth for `run --off-cpu` (issue 14): examples/workloads/waits.c computes 500 ms,
/// sleeps 300 ms, reads a pipe a child fills after 200 ms and waits 250 ms for a held mutex.
final class OffCPUGroundTruthTests: XCTestCase {
  private let functions = ["compute", "nap", "wait_pipe", "wait_lock"]
  private let construction: [String: Double] = ["compute": 40, "nap": 24, "wait_pipe": 16, "wait_lock": 20]

  private func capture(offCPU: Bool) throws -> Profile {
    let waits = try Workloads.path("waits")
    let s = CapturedShell()
    let status = s.runScript("run \(offCPU ? "--off-cpu " : "")\(waits)\n")
    XCTAssertEqual(status.exitStatus, 0, s.stderr)
    return try XCTUnwrap(s.context.sessions.current?.profile, s.stderr)
  }

  /// Per main-thread row: its tid, whether it is runnable (preempted) time, and the function names of its stack.
  private func rows(_ p: Profile) -> [(tid: Int64, runnable: Bool, names: [String])] {
    (0..<p.samples.count).map { row in
      let labels = p.labelSets[p.samples.labelSets[row]]
      let tid = labels.first { p.string($0.key) == "tid" }?.number ?? -1
      let runnable = labels.contains { p.string($0.key) == "state" && p.string($0.string) == "runnable" }
      var names: [String] = []
      p.stacks.forEachFrame(leafFirst: p.samples.stacks[row]) { loc in
        for line in p.location(loc).lines { names.append(p.name(of: line.function)) }
      }
      return (tid, runnable, names)
    }
  }

  func testWallSharesAndWaitReasonsMatchConstruction() throws {
    let p = try capture(offCPU: true)
    let main = try XCTUnwrap(p.run.offCPU?.mainThread)
    let cpu = try XCTUnwrap(p.sampleTypeIndex(named: "cpu"))
    let off = try XCTUnwrap(p.sampleTypeIndex(named: "offcpu"))
    let wall = try XCTUnwrap(p.sampleTypeIndex(named: "wall"))
    var blockedWall: [String: Int64] = [:]  // cpu + blocked off-CPU time: what the program asked for
    var reasons: [String: [WaitReason: Int64]] = [:]
    var total: Int64 = 0
    var mainWall: Int64 = 0
    for (row, r) in rows(p).enumerated() where r.tid == Int64(main) {
      mainWall += p.samples.value(row, wall)
      // Runnable time waits for a CPU, and perf event setup in clone/fork is the profiler's own cost.
      let profiler = WaitReasons.classify(leafFirst: r.names) == .profiler
      let value = p.samples.value(row, cpu) + (r.runnable || profiler ? 0 : p.samples.value(row, off))
      total += value
      guard let function = functions.first(where: r.names.contains) else { continue }
      blockedWall[function, default: 0] += value
      if !r.runnable && p.samples.value(row, off) > 0 {
        reasons[function, default: [:]][WaitReasons.classify(leafFirst: r.names), default: 0] += p.samples.value(
          row, off)
      }
    }
    let elapsed = try XCTUnwrap(p.run.elapsedNanos)
    // The main thread lives the whole run: its CPU + off-CPU (runnable included) is the elapsed time.
    XCTAssertEqual(
      Double(mainWall), Double(elapsed), accuracy: Double(elapsed) * 0.05, "main wall \(mainWall) vs elapsed \(elapsed)"
    )
    var measured: [String: Double] = [:]
    for f in functions { measured[f] = Double(blockedWall[f] ?? 0) / Double(max(total, 1)) * 100 }
    for f in functions {
      XCTAssertEqual(measured[f] ?? 0, construction[f] ?? 0, accuracy: 2, "\(f): measured shares \(measured)")
    }
    func dominant(_ f: String) -> WaitReason? { reasons[f]?.max { $0.value < $1.value }?.key }
    XCTAssertEqual(dominant("nap"), .sleep, "\(reasons)")
    XCTAssertEqual(dominant("wait_pipe"), .read, "\(reasons)")
    XCTAssertEqual(dominant("wait_lock"), .futex, "\(reasons)")
    // The summary line explains the main thread and sets the holder thread and the child apart.
    let b = try XCTUnwrap(WaitReasons.breakdown(p))
    // The mutex holder sleeps while the main thread waits for it (it wakes it by unlocking), and the
    // pipe writer sleeps while the main thread reads: both are waited for, nothing is hidden but
    // their time before the main thread started waiting.
    XCTAssertEqual(b.otherThreads, 2, "the mutex holder and the pipe writer: \(b)")
    XCTAssertGreaterThan(b.otherThreadsNanos, 400_000_000, "each sleeps 200-250 ms while main waits: \(b)")
    print(
      "off-CPU ground truth: shares \(measured), reasons \(b.reasons), runnable \(p.run.offCPU?.runnableNanos ?? 0) ns")
  }

  func testCPUSharesDoNotChangeWithOffCPU() throws {
    func computeShare(_ p: Profile) throws -> Double {
      let cpu = try XCTUnwrap(p.sampleTypeIndex(named: "cpu"))
      var inCompute: Int64 = 0
      for (row, r) in rows(p).enumerated() where r.names.contains("compute") { inCompute += p.samples.value(row, cpu) }
      return Double(inCompute) / Double(max(p.total(column: cpu), 1)) * 100
    }
    let plain = try computeShare(try capture(offCPU: false))
    let withOffCPU = try computeShare(try capture(offCPU: true))
    XCTAssertEqual(withOffCPU, plain, accuracy: 2)
    XCTAssertGreaterThan(plain, 90, "compute is where the CPU goes")
  }

  func testSummarySaysHowElapsedSplits() throws {
    try PerfEvents.skipUnlessAvailable()
    let waits = try Workloads.path("waits")
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("run --off-cpu \(waits)\nsummary\n").exitStatus, 0, s.stderr)
    let line = try XCTUnwrap(
      s.stdout.split(separator: "\n").first { $0.hasPrefix("Elapsed ") && $0.contains(" = CPU ") }, s.stdout)
    for reason in ["sleep", "futex", "read"] { XCTAssertTrue(line.contains(reason), String(line)) }
    XCTAssertTrue(s.stdout.contains("on 2 other threads"), s.stdout)
  }

  /// On the record path, which times every wait exactly (the BPF path, the default where it
  /// loads, judges only waits of at least 100 µs and always shows shorter ones:
  /// OffCPUBPFGroundTruthTests has its version).
  func testIdlePoolThreadsAreSetApartFromTheMainThreadsWaits() throws {
    try PerfEvents.skipUnlessAvailable()
    let pool = try Workloads.path("pool")
    let s = CapturedShell()
    let script = """
      run --off-cpu --off-cpu-method records \(pool)
      summary
      top --sample-index offcpu --cum 200
      echo ALLTHREADS
      top --sample-index offcpu --all-threads --cum 200
      """
    XCTAssertEqual(s.runScript(script + "\n").exitStatus, 0, s.stderr)
    let p = try XCTUnwrap(s.context.sessions.current?.profile)
    let b = try XCTUnwrap(WaitReasons.breakdown(p))
    // The main thread: 200 ms of CPU, then 300 ms of sleep, first in the split.
    XCTAssertEqual(b.reasons.first { $0.reason != .runnable }?.reason, .sleep, "\(b.reasons)")
    let sleep = b.reasons.first { $0.reason == .sleep }?.nanos ?? 0
    XCTAssertEqual(Double(sleep), 300e6, accuracy: 30e6)
    // Only joining the woken workers at the end (longer on a loaded machine, where they wait for a CPU):
    // their condition-variable waits are not the main thread's.
    XCTAssertLessThan(b.reasons.first { $0.reason == .futex }?.nanos ?? 0, sleep, "\(b.reasons)")
    // The four idle workers: nobody waited for their condition-variable waits, so they are hidden,
    // except the moments while the main thread joined them (they woke it by exiting).
    XCTAssertEqual(b.unwaitedThreads, 4, "\(b)")
    XCTAssertGreaterThan(Double(b.unwaitedNanos), 4 * 450e6, "\(b)")
    // What is shown of them lies inside the main thread's join (futex) waits, for each of the four.
    XCTAssertLessThanOrEqual(b.otherThreadsNanos, 4 * (b.reasons.first { $0.reason == .futex }?.nanos ?? 0), "\(b)")
    let allThreads = p.total(column: try XCTUnwrap(p.sampleTypeIndex(named: "offcpu")))
    XCTAssertEqual(allThreads, b.waitingNanos + b.otherThreadsNanos + b.unwaitedNanos)
    XCTAssertTrue(s.stdout.contains("Hidden: "), s.stdout)
    XCTAssertTrue(s.stdout.contains(" on 4 threads nobody on the critical threads waited for"), s.stdout)
    // The default view: the main thread's waits first, no worker; --all-threads: the workers' waits dominate.
    let parts = s.stdout.components(separatedBy: "ALLTHREADS")
    guard parts.count == 2 else { return XCTFail("no marker in \(s.stdout)") }
    XCTAssertTrue(parts[0].contains("rest"), parts[0])
    XCTAssertFalse(parts[0].contains(" worker"), parts[0])
    XCTAssertTrue(parts[1].contains(" worker"), parts[1])
    func total(_ text: String) -> String? {
      text.split(separator: "\n").first { $0.hasPrefix("Showing nodes accounting for") }.map(String.init)
    }
    XCTAssertNotEqual(total(parts[0]), total(parts[1]), s.stdout)
  }

  func testWithoutKernelAccessTheRunSaysOffCPUNeedsIt() throws {
    try PerfEvents.skipUnlessAvailable()
    guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
      let paranoid = try? String(contentsOfFile: "/proc/sys/kernel/perf_event_paranoid", encoding: .utf8),
      (Int(paranoid.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 1
    else { throw XCTSkip("needs root (to run perfsh as nobody), setpriv and perf_event_paranoid > 1") }
    let result = try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/setpriv"),
      [
        "--reuid=65534", "--regid=65534", "--clear-groups", try PerfshBinary.url().path, "-c",
        "run --off-cpu /bin/true",
      ])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(
      result.stderr.contains("off-CPU time needs kernel access (kernel.perf_event_paranoid is"), result.stderr)
  }

  func testOffCPUNeedsSampling() {
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("run --off-cpu --no-sample --trace x /bin/true\n").exitStatus, 1)
    XCTAssertTrue(s.stderr.contains("--off-cpu keeps CPU sampling"), s.stderr)
  }
}

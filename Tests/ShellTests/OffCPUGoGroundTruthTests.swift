import Analysis
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// Off-CPU ground truth for Go (issue 14): examples/workloads/gowaits computes ~250 ms (fixed work) in
/// main.spin, waits ~300 ms in main.waitChannel for a goroutine that sleeps and then sends, and
/// blocks ~200 ms in main.readPipe reading a blocking pipe. Go keeps frame pointers, and its
/// mcall keeps the chain into the goroutine's stack, so the thread's wait shows under the Go
/// function that parked it.
final class OffCPUGoGroundTruthTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    guard GoToolchain.goPath != nil else { throw XCTSkip("golang-go is not installed (scripts/test installs it)") }
    home = try GoToolchain.temporaryDirectory("gowaits")
  }

  override func tearDownWithError() throws {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  /// Go keeps frame pointers, so `auto` takes the BPF path (waits added up in the kernel).
  func testGoWaitsShowUnderTheGoFunctionsThatWaited() throws {
    let p = try check(flags: "--off-cpu")
    if !p.run.notes.contains(where: { $0.contains("BPF is not available") }) {
      XCTAssertTrue(p.run.notes.contains { $0.hasPrefix("off-CPU capture: in the kernel (BPF") }, "\(p.run.notes)")
    }
  }

  /// The same waits from context-switch records.
  func testGoWaitsShowUnderTheGoFunctionsThatWaitedFromRecords() throws {
    let p = try check(flags: "--off-cpu-method records")
    XCTAssertTrue(p.run.notes.contains { $0.hasPrefix("off-CPU capture: context-switch records") }, "\(p.run.notes)")
  }

  @discardableResult
  private func check(flags: String) throws -> Profile {
    try PerfEvents.skipUnlessAvailable()
    let go = try XCTUnwrap(GoToolchain.goPath)
    let source = Workloads.packageRoot.appendingPathComponent("examples/workloads/gowaits/main.go").path
    let binary = home.appendingPathComponent("gowaits").path
    _ = try GoToolchain.run([go, "build", "-o", binary, source], in: home)
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("run \(flags) \(binary)\n").exitStatus, 0, s.stderr)
    let p = try XCTUnwrap(s.context.sessions.current?.profile)
    let off = try XCTUnwrap(p.sampleTypeIndex(named: "offcpu"))
    let cpu = try XCTUnwrap(p.sampleTypeIndex(named: "cpu"))
    // Blocked (not runnable) off-CPU time and CPU time per innermost main.* function, on every thread.
    var blocked: [String: Int64] = [:]
    var reasons: [String: [WaitReason: Int64]] = [:]
    var onCPU: [String: Int64] = [:]
    for row in 0..<p.samples.count {
      let labels = p.labelSets[p.samples.labelSets[row]]
      let runnable = labels.contains { p.string($0.key) == "state" && p.string($0.string) == "runnable" }
      var names: [String] = []
      p.stacks.forEachFrame(leafFirst: p.samples.stacks[row]) { loc in
        for line in p.location(loc).lines { names.append(p.name(of: line.function)) }
      }
      guard let f = names.first(where: { $0.hasPrefix("main.") }) else { continue }
      onCPU[f, default: 0] += p.samples.value(row, cpu)
      guard !runnable, p.samples.value(row, off) > 0 else { continue }
      blocked[f, default: 0] += p.samples.value(row, off)
      reasons[f, default: [:]][WaitReasons.classify(leafFirst: names), default: 0] += p.samples.value(row, off)
    }
    print("Go off-CPU ground truth (\(flags)): blocked \(blocked), reasons \(reasons), cpu \(onCPU)")
    // The blocking read: the thread waits in the read syscall under main.readPipe, for 200 ms.
    XCTAssertEqual(Double(reasons["main.readPipe"]?[.read] ?? 0), 200e6, accuracy: 30e6, "\(reasons)")
    // The goroutine the read waited for sleeps 200 ms in time.Sleep: its thread parks in the
    // scheduler under main.readPipe.func1, either in netpoll (poll) when that thread owns the
    // poller and the timer, or on its futex (stopm's notesleep) when another thread polls. Which
    // thread gets the poller is Go's choice (both occur run to run), so the two scheduler parks
    // count together, and nothing else may wait under that goroutine.
    let sleeper = reasons["main.readPipe.func1"] ?? [:]
    XCTAssertEqual(Double((sleeper[.poll] ?? 0) + (sleeper[.futex] ?? 0)), 200e6, accuracy: 30e6, "\(reasons)")
    XCTAssertLessThan(
      blocked["main.readPipe.func1", default: 0] - (sleeper[.poll] ?? 0) - (sleeper[.futex] ?? 0), 10_000_000,
      "only scheduler parks: \(reasons)")
    // The channel wait: a thread parks for 300 ms in the scheduler under main.waitChannel (the
    // receiver) or main.waitChannel.func1 (the sender sleeping before it sends): whichever
    // goroutine parked last on that thread. When Go parks both goroutines' threads, each of the
    // two threads really waits the 300 ms (600 ms of thread time); neither name gets more.
    // Never under spin.
    let receiver = blocked["main.waitChannel"] ?? 0
    let sender = blocked["main.waitChannel.func1"] ?? 0
    XCTAssertEqual(Double(max(receiver, sender)), 300e6, accuracy: 50e6, "\(blocked)")
    XCTAssertLessThan(min(receiver, sender), 350_000_000, "one thread's 300 ms at most: \(blocked)")
    XCTAssertLessThan(blocked["main.spin"] ?? 0, 20_000_000, "spin computes: \(blocked)")
    XCTAssertGreaterThan(onCPU["main.spin"] ?? 0, 150_000_000, "a fixed amount of work, ~250 ms: \(onCPU)")
    return p
  }
}

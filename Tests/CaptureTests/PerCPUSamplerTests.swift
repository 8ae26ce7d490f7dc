import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

/// The per-CPU sampler (`--sampler cpu`: one cpu-clock event per CPU for every task, a BPF filter
/// keeping the target's ticks) against the per-task one, on real child processes: the same
/// ground truths, exactly the target's samples (not perfsh's, not an unrelated process's), and
/// children followed.
final class PerCPUSamplerTests: XCTestCase {
  override func setUpWithError() throws {
    try PerfEvents.skipUnlessAvailable()
    guard BPFSupport.isAvailable else { throw XCTSkip("BPF is not available here: \(BPFSupport.availability)") }
  }

  private func capture(_ arguments: [String], sampler: SamplerMethod) throws -> CaptureResult {
    var request = CaptureRequest(arguments: arguments)
    request.sampler = sampler
    return try CommandCapture().run(request)
  }

  private func samplerNote(_ p: Profile) -> String {
    p.run.notes.first { $0.hasPrefix("on-CPU sampler: ") } ?? "none in \(p.run.notes)"
  }

  /// The pids of the samples of `p`.
  private func samplePIDs(_ p: Profile) -> Set<String> {
    Set((0..<p.samples.count).compactMap { Workloads.labels(p, sample: $0)["pid"] })
  }

  /// The 6:3:1 workload on both samplers: shares within 3 points, sampled CPU within 10 % of
  /// rusage (samples × period ≈ CPU time), the binary's build id, stacks reaching main.
  func testRatioSharesAndCPUTotalOnBothSamplers() throws {
    let bin = try Workloads.binary("ratio")
    for sampler in SamplerMethod.allCases {
      let result = try capture([bin], sampler: sampler)
      let p = result.profile
      XCTAssertEqual(p.run.termination, .exited(0))
      XCTAssertNoThrow(try p.validate())
      let note = samplerNote(p)
      XCTAssertTrue(
        note.hasPrefix(sampler == .cpu ? "on-CPU sampler: per-CPU cpu-clock events" : "on-CPU sampler: per-task"), note)
      XCTAssertTrue(note.hasSuffix("asked for (--sampler \(sampler.rawValue))"), note)
      let rusage = try XCTUnwrap(p.run.cpuNanos)
      let sampled = p.total(column: 1)
      XCTAssertEqual(
        Double(sampled), Double(rusage), accuracy: Double(rusage) * 0.1, "\(sampler): sampled \(sampled) vs \(rusage)")
      let (per, total) = try Workloads.flatCPU(p, binary: bin)
      let share = { (f: String) in 100 * Double(per[f] ?? 0) / Double(total) }
      XCTAssertEqual(share("hot60"), 60, accuracy: 3, "\(sampler): \(per)")
      XCTAssertEqual(share("warm30"), 30, accuracy: 3, "\(sampler): \(per)")
      XCTAssertEqual(share("cool10"), 10, accuracy: 3, "\(sampler): \(per)")
      let expected = try XCTUnwrap(try Workloads.buildID(bin))
      let mapping = try XCTUnwrap(p.mappings.first { p.string($0.filename).hasSuffix("/ratio") })
      XCTAssertEqual(p.string(mapping.buildID), expected, "\(sampler)")
      XCTAssertTrue(try Workloads.stacks(p, binary: bin, contain: "main"), "\(sampler)")
      XCTAssertEqual(samplePIDs(p), ["\(result.pid)"], "\(sampler)")
      XCTAssertGreaterThan(try XCTUnwrap(p.run.elapsedNanos), 0)
    }
  }

  /// The filter loaded ahead of the run (`perfsh run` starts it with perfsh) is the one the
  /// first capture attaches, seeded with its target: the same shares and only the target's
  /// samples; the next capture loads its own, as without a preload.
  func testPreloadedFilterServesTheFirstCaptureOnly() throws {
    let bin = try Workloads.binary("ratio")
    BPFSampleFilter.preload()
    BPFSampleFilter.preload()  // once per process: the second call does nothing
    for run in 1...2 {
      let result = try capture([bin], sampler: .cpu)
      let p = result.profile
      XCTAssertEqual(p.run.termination, .exited(0))
      XCTAssertTrue(samplerNote(p).hasPrefix("on-CPU sampler: per-CPU cpu-clock events"), samplerNote(p))
      let (per, total) = try Workloads.flatCPU(p, binary: bin)
      XCTAssertGreaterThan(total, 0, "run \(run)")
      XCTAssertEqual(100 * Double(per["hot60"] ?? 0) / Double(total), 60, accuracy: 3, "run \(run): \(per)")
      XCTAssertEqual(samplePIDs(p), ["\(result.pid)"], "run \(run)")
    }
  }

  /// A process the test starts beside the target (not its child) burns CPU on every CPU the
  /// whole time: not one of its ticks, and none of perfsh's, becomes a sample.
  func testUnrelatedBurnerContributesNoSamples() throws {
    let ratio = try Workloads.binary("ratio")
    let pingpong = try Workloads.binary("pingpong")
    // Two spinning processes, one per CPU of this machine's two, started by the test itself.
    let burners = (0..<2).map { _ in
      let burner = Process()
      burner.executableURL = URL(fileURLWithPath: pingpong)
      burner.arguments = ["spin", "8000"]
      burner.standardOutput = FileHandle.nullDevice
      burner.standardError = FileHandle.nullDevice
      return burner
    }
    for burner in burners { try burner.run() }
    defer {
      for burner in burners {
        burner.terminate()
        burner.waitUntilExit()
      }
    }
    Thread.sleep(forTimeInterval: 0.2)
    let result = try capture([ratio], sampler: .cpu)
    XCTAssertTrue(burners.allSatisfy(\.isRunning), "the burners ran through the whole capture")
    let p = result.profile
    XCTAssertEqual(samplePIDs(p), ["\(result.pid)"])
    XCTAssertFalse(samplePIDs(p).contains("\(getpid())"), "perfsh's own ticks are dropped")
    XCTAssertNil(p.mappings.first { p.string($0.filename).hasSuffix("/pingpong") }, "no side-band of the burner")
    XCTAssertNil(try Workloads.flatCPU(p, binary: pingpong).perFunction["spin"])
    // The filter saw the burner's ticks and dropped them.
    let note = samplerNote(p)
    let dropped = note.split(separator: " ").firstIndex(of: "dropped").flatMap { i in
      Int(note.split(separator: " ")[note.split(separator: " ").index(after: i)])
    }
    XCTAssertGreaterThan(try XCTUnwrap(dropped, note), 100, note)
    // The target's shares hold although it shared the CPUs.
    let (per, total) = try Workloads.flatCPU(p, binary: ratio)
    XCTAssertEqual(100 * Double(per["hot60"] ?? 0) / Double(total), 60, accuracy: 3, "\(per)")
    let rusage = try XCTUnwrap(p.run.cpuNanos)
    XCTAssertEqual(Double(p.total(column: 1)), Double(rusage), accuracy: Double(rusage) * 0.1)
  }

  /// A target that forks gets its children's samples (fork grows the BPF set; the side-band
  /// event is inherited), and a shell's grandchildren are sampled and their CPU adds up.
  func testChildrenAndGrandchildrenAreSampled() throws {
    let forker = try Workloads.binary("forker")
    let result = try capture([forker], sampler: .cpu)
    let p = result.profile
    XCTAssertEqual(p.run.termination, .exited(0))
    let (per, _) = try Workloads.flatCPU(p, binary: forker)
    XCTAssertGreaterThan(per["parent_work"] ?? 0, 0, "\(per)")
    XCTAssertGreaterThan(per["child_work"] ?? 0, per["parent_work"] ?? 0, "the child does 3x the parent's work")
    XCTAssertGreaterThanOrEqual(samplePIDs(p).count, 2)
    XCTAssertTrue(samplePIDs(p).contains("\(result.pid)"))

    let ratio = try Workloads.binary("ratio")
    let threads = try Workloads.binary("threads")
    let shell = try capture(["sh", "-c", "'\(ratio)' | cat; '\(threads)'"], sampler: .cpu).profile
    XCTAssertGreaterThan(try Workloads.flatCPU(shell, binary: ratio).perFunction["hot60"] ?? 0, 0)
    XCTAssertGreaterThan(try Workloads.flatCPU(shell, binary: threads).perFunction["alpha_work"] ?? 0, 0)
    let rusage = Double(try XCTUnwrap(shell.run.cpuNanos))
    XCTAssertEqual(Double(shell.total(column: 1)), rusage, accuracy: rusage * 0.1)
  }

  /// Threads keep their labels: per-thread work lands on the right thread.
  func testThreadsKeepTheirLabels() throws {
    let bin = try Workloads.binary("threads")
    let p = try capture([bin], sampler: .cpu).profile
    let alpha = try Workloads.flatCPU(p, binary: bin) { $0["thread"] == "worker-alpha" }
    let beta = try Workloads.flatCPU(p, binary: bin) { $0["thread"] == "worker-beta" }
    XCTAssertGreaterThan(alpha.perFunction["alpha_work"] ?? 0, beta.perFunction["beta_work"] ?? 0)
    XCTAssertGreaterThan(beta.perFunction["beta_work"] ?? 0, 0)
    XCTAssertNil(alpha.perFunction["beta_work"])
    XCTAssertNil(beta.perFunction["alpha_work"])
  }

  /// Lost samples are counted on the per-CPU path too (tiny rings, a high rate).
  func testLostRecordsAreCounted() throws {
    // Two busy threads on both CPUs at 50 kHz into one-page rings (as the per-task test).
    let bin = try Workloads.binary("threads")
    var request = CaptureRequest(arguments: [bin], frequency: 50_000, ringDataPages: 1)
    request.sampler = .cpu
    let result = try CommandCapture().run(request)
    XCTAssertGreaterThan(result.lostRecords, 0)
    XCTAssertEqual(result.profile.run.lostRecords, Int64(result.lostRecords))
  }
}

import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// `run --sampler` and `set sampler` through the shell: which sampler ran and why (`info`), the
/// fallback to per-task events when BPF is off, the refusal of a forced per-CPU sampler without
/// BPF, and DWARF stacks and off-CPU time on the per-CPU path.
final class SamplerChoiceTests: XCTestCase {
  override func setUpWithError() throws {
    try PerfEvents.skipUnlessAvailable()
  }

  private func run(_ script: String) throws -> (CapturedShell, Profile) {
    let s = CapturedShell()
    XCTAssertEqual(s.runScript(script + "\n").exitStatus, 0, s.stderr)
    return (s, try XCTUnwrap(s.context.sessions.current?.profile, s.stderr))
  }

  private func samplerNote(_ p: Profile) -> String {
    p.run.notes.first { $0.hasPrefix("on-CPU sampler: ") } ?? "none in \(p.run.notes)"
  }

  /// Flat CPU share (%) of the leaf function `name`.
  private func leafShare(_ p: Profile, _ name: String) throws -> Double {
    let cpu = try XCTUnwrap(p.sampleTypeIndex(named: "cpu"))
    var hit: Int64 = 0
    var all: Int64 = 0
    for row in 0..<p.samples.count {
      all += p.samples.value(row, cpu)
      var leaf: String?
      p.stacks.forEachFrame(leafFirst: p.samples.stacks[row]) { loc in
        if leaf == nil { leaf = p.location(loc).lines.last.map { p.name(of: $0.function) } }
      }
      if leaf == name { hit += p.samples.value(row, cpu) }
    }
    return 100 * Double(hit) / Double(max(all, 1))
  }

  func testForcedTaskSamplerAndTheSettingAreShownByInfo() throws {
    let ratio = try Workloads.path("ratio")
    let (s, task) = try run("run --sampler task \(ratio)\ninfo")
    XCTAssertEqual(samplerNote(task), "on-CPU sampler: per-task cpu-clock events: asked for (--sampler task)")
    XCTAssertTrue(s.stdout.contains("on-CPU sampler: per-task cpu-clock events"), s.stdout)
    XCTAssertEqual(try leafShare(task, "hot60"), 60, accuracy: 3)
    guard case .available = BPFSupport.availability else { return }
    let (_, set) = try run("set sampler cpu\nrun \(ratio)")
    XCTAssertTrue(
      samplerNote(set).hasPrefix("on-CPU sampler: per-CPU cpu-clock events filtered by BPF"), samplerNote(set))
    XCTAssertTrue(samplerNote(set).hasSuffix("asked for (--sampler cpu)"), samplerNote(set))
  }

  func testWithoutBPFAutoFallsBackToPerTaskAndForcedCPUIsRefused() throws {
    let perfsh = try PerfshBinary.url().path
    let env = URL(fileURLWithPath: "/usr/bin/env")
    let auto = try ProcessRunner.run(env, ["PERFSH_BPF=off", perfsh, "-c", "run /bin/true; info"])
    XCTAssertEqual(auto.status, 0, auto.stderr)
    XCTAssertTrue(
      auto.stdout.contains(
        "on-CPU sampler: per-task cpu-clock events: BPF is not available (turned off by PERFSH_BPF=off)"), auto.stdout)
    let forced = try ProcessRunner.run(env, ["PERFSH_BPF=off", perfsh, "-c", "run --sampler cpu /bin/true"])
    XCTAssertEqual(forced.status, 1, forced.stdout)
    XCTAssertTrue(
      forced.stderr.contains(
        "the per-CPU sampler (--sampler cpu) cannot run here: BPF is not available (turned off by PERFSH_BPF=off)"),
      forced.stderr)
  }

  func testDWARFStacksAndOffCPUOnThePerCPUPath() throws {
    guard case .available = BPFSupport.availability else { throw XCTSkip("BPF is not available here") }
    let ratio = try Workloads.path("ratio")
    let (_, dwarf) = try run("run --sampler cpu --call-graph dwarf \(ratio)")
    XCTAssertTrue(samplerNote(dwarf).hasPrefix("on-CPU sampler: per-CPU"), samplerNote(dwarf))
    XCTAssertEqual(try leafShare(dwarf, "hot60"), 60, accuracy: 3)
    XCTAssertEqual(try leafShare(dwarf, "warm30"), 30, accuracy: 3)
    // Off-CPU in the kernel shares the sampler's target set: the waits are there, CPU too.
    let waits = try Workloads.path("waits")
    let (_, both) = try run("run --sampler cpu --off-cpu-method bpf \(waits)")
    XCTAssertTrue(samplerNote(both).hasPrefix("on-CPU sampler: per-CPU"), samplerNote(both))
    let off = try XCTUnwrap(both.sampleTypeIndex(named: "offcpu"))
    let cpu = try XCTUnwrap(both.sampleTypeIndex(named: "cpu"))
    // waits.c: 500ms compute, 300+200+250ms waiting (±20 % here; OffCPUBPFGroundTruthTests is exact).
    XCTAssertEqual(Double(both.total(column: cpu)) / 1e6, 500, accuracy: 100)
    XCTAssertGreaterThan(Double(both.total(column: off)) / 1e6, 600)
  }
}

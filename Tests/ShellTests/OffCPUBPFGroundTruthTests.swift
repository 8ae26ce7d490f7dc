import Analysis
import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// The off-CPU ground truths on the BPF path (`run --off-cpu-method bpf`: waits added up in the
/// kernel) beside the record path: wait reasons from the kernel frames, wall = cpu + offcpu,
/// children followed, runnable time apart, idle pool threads hidden, and both paths' totals agree.
final class OffCPUBPFGroundTruthTests: XCTestCase {
  /// Runs `script` (its first line a run) and returns the shell and the session's profile;
  /// skips when the run says BPF is not available here.
  private func capture(_ script: String) throws -> (CapturedShell, Profile) {
    let s = CapturedShell()
    let status = s.runScript(script + "\n")
    XCTAssertEqual(status.exitStatus, 0, s.stderr)
    let p = try XCTUnwrap(s.context.sessions.current?.profile, s.stderr)
    if let why = p.run.notes.first(where: { $0.contains("BPF is not available") }) { throw XCTSkip(why) }
    return (s, p)
  }

  private func method(_ p: Profile) -> String? {
    p.run.notes.first { $0.hasPrefix("off-CPU capture: ") }
  }

  private func names(_ p: Profile, row: Int) -> [String] {
    var names: [String] = []
    p.stacks.forEachFrame(leafFirst: p.samples.stacks[row]) { loc in
      for line in p.location(loc).lines { names.append(p.name(of: line.function)) }
    }
    return names
  }

  private func label(_ p: Profile, row: Int, _ key: String) -> Label? {
    p.labelSets[p.samples.labelSets[row]].first { p.string($0.key) == key }
  }

  /// Share of blocked off-CPU time whose user stack reaches `function` (how much the stacks explain).
  private func share(_ p: Profile, reaching function: String) throws -> Double {
    let off = try XCTUnwrap(p.sampleTypeIndex(named: "offcpu"))
    var reached: Int64 = 0
    var all: Int64 = 0
    for row in 0..<p.samples.count where label(p, row: row, "state") == nil {
      all += p.samples.value(row, off)
      if names(p, row: row).contains(function) { reached += p.samples.value(row, off) }
    }
    return Double(reached) / Double(max(all, 1)) * 100
  }

  func testWaitsOnTheBPFPathMatchConstructionAndTheRecordPath() throws {
    let waits = try Workloads.path("waits")
    let (_, bpf) = try capture("run --off-cpu-method bpf \(waits)")
    let (_, records) = try capture("run --off-cpu-method records \(waits)")
    XCTAssertEqual(
      method(bpf), "off-CPU capture: in the kernel (BPF on sched_switch): asked for (--off-cpu-method bpf)",
      "\(bpf.run.notes)"
    )
    XCTAssertTrue(method(records)?.contains("context-switch records") ?? false, "\(records.run.notes)")
    for (path, p) in [("bpf", bpf), ("records", records)] {
      let b = try XCTUnwrap(WaitReasons.breakdown(p))
      func reason(_ r: WaitReason) -> Double { Double(b.reasons.first { $0.reason == r }?.nanos ?? 0) }
      // The main thread's waits by the kernel frame where it blocked: 300 ms sleep, 200 ms pipe
      // read, 250 ms on the mutex. (The record path's own cost can stretch the waits on a
      // loaded machine: tracepoint events copied at clone/fork stall on a kernel lock, seen as
      // +38 ms futex and +22 ms read with 197 ms of `perf event setup`; OffCPUGroundTruthTests
      // holds the record path to construction by shares.)
      let slack = path == "bpf" ? 30e6 : 80e6
      XCTAssertEqual(reason(.sleep), 300e6, accuracy: slack, "\(path): \(b.reasons)")
      XCTAssertEqual(reason(.read), 200e6, accuracy: slack, "\(path): \(b.reasons)")
      XCTAssertEqual(reason(.futex), 250e6, accuracy: slack, "\(path): \(b.reasons)")
      // The main thread lives the whole run: its CPU + off-CPU is the elapsed time. On a loaded
      // machine the record path (whose own cost stretches the run, above) accounted 1278 of
      // 1353 ms once in a full test run (-5.6 %); BPF stays within 5 %, the record path 8 %.
      let elapsed = Double(try XCTUnwrap(p.run.elapsedNanos))
      let part = path == "bpf" ? 0.05 : 0.08
      XCTAssertEqual(Double(b.cpuNanos + b.waitingNanos), elapsed, accuracy: elapsed * part, path)
      // The mutex holder and the pipe writer (a child process: followed) are waited for.
      XCTAssertEqual(b.otherThreads, 2, "\(path): \(b)")
      let mainPID = p.run.offCPU?.mainThread.map(Int64.init)
      let off = try XCTUnwrap(p.sampleTypeIndex(named: "offcpu"))
      let childTime = (0..<p.samples.count).filter { label(p, row: $0, "pid")?.number != mainPID }
        .reduce(Int64(0)) { $0 + p.samples.value($1, off) }
      XCTAssertEqual(Double(childTime), 200e6, accuracy: 40e6, "\(path): the child sleeps 200 ms before writing")
      // wall = cpu + offcpu on every row.
      let cpu = try XCTUnwrap(p.sampleTypeIndex(named: "cpu"))
      let wall = try XCTUnwrap(p.sampleTypeIndex(named: "wall"))
      for row in 0..<p.samples.count {
        XCTAssertEqual(p.samples.value(row, wall), p.samples.value(row, cpu) + p.samples.value(row, off))
      }
    }
    // Both paths see the same blocked time, within 5 % of the run (runnable time depends on the
    // machine's load, so it differs between runs, not paths; the record path's own setup stalls
    // are left out).
    let a = try XCTUnwrap(WaitReasons.breakdown(bpf))
    let r = try XCTUnwrap(WaitReasons.breakdown(records))
    func blocked(_ b: WaitBreakdown) -> Double {
      Double(b.reasons.filter { $0.reason != .runnable && $0.reason != .profiler }.reduce(0) { $0 + $1.nanos })
    }
    let elapsed = Double(try XCTUnwrap(records.run.elapsedNanos))
    XCTAssertEqual(blocked(a), blocked(r), accuracy: elapsed * 0.05, "\(a) vs \(r)")
    XCTAssertEqual(Double(a.otherThreadsNanos), Double(r.otherThreadsNanos), accuracy: elapsed * 0.05)
    // The user stacks explain the blocked time as well on both paths: the BPF path copies a
    // new place's user stack for CFI unwinding (Debian's libc keeps no frame pointers), so the
    // callers of the syscall wrappers are kept (a frame-pointer walk gave wait_lock 0 % here
    // against 21 % from records, and wait_pipe only through its sleep).
    for function in ["main", "wait_pipe", "wait_lock", "sleep_ms"] {
      let byBPF = try share(bpf, reaching: function)
      let byRecords = try share(records, reaching: function)
      XCTAssertEqual(byBPF, byRecords, accuracy: 5, "\(function): bpf \(byBPF)% records \(byRecords)%")
    }
    XCTAssertGreaterThan(try share(bpf, reaching: "wait_lock"), 15, "250 ms of ~1.2 s blocked")
    XCTAssertTrue(
      bpf.run.notes.contains { $0.contains("stacks walked at") }, "the kernel side counts its walks: \(bpf.run.notes)")
    XCTAssertFalse(
      bpf.run.notes.contains { $0.contains("__schedule was not among") },
      "kernel stacks start at __schedule on this kernel: \(bpf.run.notes)")
  }

  func testPlacesWithTheSameRegistersAreToldApartByTheirStacks() throws {
    // places: six call sites reach nanosleep with the same registers at the same stack depth,
    // 30 × 2 ms each; only the return addresses on the stack differ. A place reused on its
    // registers alone put all 377 ms under nap_a. Six sites against four remembered places
    // also replace a place at every switch-out: the waits added up in it must reach the
    // aggregate whole.
    let places = try Workloads.path("places")
    let (_, p) = try capture("run --off-cpu-method bpf \(places)")
    let off = try XCTUnwrap(p.sampleTypeIndex(named: "offcpu"))
    var bySite: [String: Int64] = [:]
    for row in 0..<p.samples.count where p.samples.value(row, off) > 0 {
      for name in Set(names(p, row: row)) where name.hasPrefix("nap_") {
        bySite[name, default: 0] += p.samples.value(row, off)
      }
    }
    for site in ["nap_a", "nap_b", "nap_c", "nap_d", "nap_e", "nap_f"] {
      let nanos = Double(bySite[site] ?? 0)
      // A sleep never ends early; a loaded guest makes each one late by up to ~1 ms.
      XCTAssertGreaterThan(nanos, 60e6 * 0.97, "\(site): \(bySite)")
      XCTAssertLessThan(nanos, 60e6 * 1.5, "\(site): \(bySite)")
    }
  }

  func testRunnableTimeIsToldApartOnTheBPFPath() throws {
    // Two CPU-bound threads pinned to one CPU: each waits runnable while the other runs.
    let threads = try Workloads.path("threads")
    let (_, p) = try capture("run --off-cpu-method bpf -- taskset -c 0 \(threads)")
    let summary = try XCTUnwrap(p.run.offCPU)
    let off = try XCTUnwrap(p.sampleTypeIndex(named: "offcpu"))
    var runnable: Int64 = 0
    for row in 0..<p.samples.count where label(p, row: row, "state").map({ p.string($0.string) }) == "runnable" {
      runnable += p.samples.value(row, off)
    }
    XCTAssertEqual(runnable, summary.runnableNanos)
    XCTAssertGreaterThan(runnable, 100_000_000, "two busy threads on one CPU: \(summary)")
  }

  func testIdlePoolThreadsAreSetApartOnTheBPFPath() throws {
    let pool = try Workloads.path("pool")
    let (s, p) = try capture("run --off-cpu-method bpf \(pool)\nsummary")
    let b = try XCTUnwrap(WaitReasons.breakdown(p))
    XCTAssertEqual(b.reasons.first { $0.reason != .runnable }?.reason, .sleep, "\(b.reasons)")
    XCTAssertEqual(Double(b.reasons.first { $0.reason == .sleep }?.nanos ?? 0), 300e6, accuracy: 30e6)
    XCTAssertEqual(b.unwaitedThreads, 4, "\(b)")
    XCTAssertGreaterThan(Double(b.unwaitedNanos), 4 * 450e6, "\(b)")
    // What is shown of the workers: their joins and their short waits (under 100 µs, always
    // shown on this path) — a sliver of the ~2 s they idle.
    let futex = b.reasons.first { $0.reason == .futex }?.nanos ?? 0
    XCTAssertLessThanOrEqual(b.otherThreadsNanos, 4 * futex + 4_000_000, "\(b)")
    XCTAssertTrue(s.stdout.contains(" on 4 threads nobody on the critical threads waited for"), s.stdout)
  }

  func testPERFSHBPFOffForcesTheRecordPath() throws {
    let result = try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/env"),
      ["PERFSH_BPF=off", try PerfshBinary.url().path, "-c", "run --off-cpu-method bpf /bin/true; info"])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(
      result.stdout.contains(
        "off-CPU capture: context-switch records: BPF is not available (turned off by PERFSH_BPF=off)"),
      result.stdout)
  }
}

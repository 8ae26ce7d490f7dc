import Foundation
import PerfshTestSupport
import XCTest

/// `run --alloc` on programs whose allocations are known by construction (examples/workloads/
/// allocs.c, built with gcc -O1 -fno-omit-frame-pointer): the real recorder preloaded into
/// the real target, read back through the export with `go tool pprof` for exact numbers.
///
/// Tolerances follow from Poisson sampling: a function that allocates B bytes in blocks far
/// smaller than the rate R gets about B/R samples, so its estimate has a relative standard
/// deviation of 1/sqrt(B/R). At the default 512 KiB, tokenize's 50 MiB is 100 samples (10 %),
/// so the ±5 % per-function checks run at 8 KiB (6400 samples, 1.25 %: ±5 % is 4 sigma);
/// the default-rate test checks what that rate can promise, with 4-sigma bounds.
final class AllocationEndToEndTests: XCTestCase {
  private var home: URL!
  private let mib = 1024.0 * 1024.0

  override func setUpWithError() throws {
    home = try GoToolchain.temporaryDirectory("e2e-alloc")
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: home)
  }

  private func perfsh(_ script: String) throws -> ProcessResult {
    try PerfshBinary.run(["-c", script], environment: try PerfshBinary.environment(home: home), directory: home)
  }

  /// Runs `command` under `run --alloc`, exports it, and returns perfsh's output and the export.
  private func record(_ command: String, rate: Int? = 8192, then more: String = "") throws -> (ProcessResult, URL) {
    let pb = home.appendingPathComponent("alloc-\(UUID().uuidString).pb.gz")
    let rateFlag = rate.map { " --alloc-rate \($0)" } ?? ""
    let r = try perfsh("run --alloc\(rateFlag) \(command); export pprof \(pb.path); summary; leaks\(more)")
    XCTAssertEqual(r.status, 0, r.stderr)
    return (r, pb)
  }

  /// Flat bytes (or objects) per function of one sample type, as `go tool pprof` reads the export.
  private func flat(_ pb: URL, _ sampleIndex: String) throws -> [String: Double] {
    try GoToolchain.pprofTop(pb, sampleIndex: sampleIndex).mapValues { Double($0.flat) }
  }

  private func assertWithin(_ value: Double?, _ expected: Double, _ fraction: Double, _ what: String) {
    guard let value else { return XCTFail("\(what): missing") }
    XCTAssertEqual(
      value, expected, accuracy: expected * fraction, "\(what): \(value / mib) MiB, expected \(expected / mib) MiB")
  }

  func testKnownAllocationsPerFunctionInUseAtExitAndLeaks() throws {
    let (r, pb) = try record(try Workloads.path("allocs"))
    XCTAssertTrue(r.stdout.contains("| Lost: 0"), "allocation records were lost: \(r.stdout)")
    let alloc = try flat(pb, "alloc_space")
    assertWithin(alloc["load_rows"], 300 * mib, 0.05, "load_rows alloc_space")
    assertWithin(alloc["build_index"], 100 * mib, 0.05, "build_index alloc_space")
    assertWithin(alloc["tokenize"], 50 * mib, 0.05, "tokenize alloc_space")
    let objects = try flat(pb, "alloc_objects")
    // build_index also keeps an 800-byte array, sampled at rate 8192 with probability
    // 1 - e^(-800/8192) ≈ 9 %, and then counted as 1/p ≈ 10.75 objects: both outcomes are right.
    let arrayWeight = 1 / (1 - exp(-800.0 / 8192))
    let indexObjects = try XCTUnwrap(objects["build_index"], "build_index alloc_objects: missing")
    XCTAssertTrue(
      abs(indexObjects - 100) <= 5 || abs(indexObjects - (100 + arrayWeight)) <= 5,
      "build_index alloc_objects: \(indexObjects), expected 100 (± 5), or \(100 + arrayWeight) when its array was sampled"
    )
    assertWithin(objects["load_rows"], 76_800, 0.05, "load_rows alloc_objects (4 KiB rows)")
    let inuse = try flat(pb, "inuse_space")
    assertWithin(inuse.values.reduce(0, +), 100 * mib, 0.05, "inuse_space at exit")
    assertWithin(inuse["build_index"], 100 * mib, 0.05, "build_index inuse_space")
    XCTAssertNil(inuse["load_rows"].flatMap { $0 > 0 ? $0 : nil }, "load_rows freed everything")
    XCTAssertNil(inuse["tokenize"].flatMap { $0 > 0 ? $0 : nil }, "tokenize freed everything")
    // leaks: the first stack is build_index's; summary has the memory lines.
    let leakLines = r.stdout.split(separator: "\n").drop { !$0.contains("still held at exit") }
    XCTAssertTrue(leakLines.dropFirst().first?.contains("build_index ← ground_truth ← main") == true, r.stdout)
    XCTAssertTrue(r.stdout.contains("In Use at Exit: 100.0 MiB"), r.stdout)
    XCTAssertTrue(r.stdout.contains("Peak In Use: "), r.stdout)
  }

  func testCompareBySampleIndexComparesHeapColumnsInBytes() throws {
    try PerfEvents.skipUnlessAvailable()
    let allocs = try Workloads.path("allocs")
    let r = try perfsh(
      "run --alloc --alloc-rate 8192 \(allocs); run --alloc --alloc-rate 8192 \(allocs); "
        + "compare @prev @last --sample-index inuse_space; compare @prev @last 3 --sample-index alloc_space")
    XCTAssertEqual(r.status, 0, r.stderr)
    let reports = r.stdout.components(separatedBy: "=== perfsh Compare").dropFirst().map { $0 }
    XCTAssertEqual(reports.count, 2, r.stdout)
    // In use at exit: build_index's 100 MiB on both sides, and nothing of the freed functions.
    let inuse = reports[0].split(separator: "\n").filter { $0.hasSuffix("  build_index") }
    XCTAssertEqual(inuse.count, 1, reports[0])
    let megabytes = inuse.first?.split(separator: " ").prefix(2).compactMap { Double($0.dropLast(2)) } ?? []
    XCTAssertEqual(megabytes.count, 2, reports[0])
    for value in megabytes { XCTAssertEqual(value, 100, accuracy: 5, reports[0]) }
    XCTAssertFalse(reports[0].contains("load_rows"), reports[0])
    XCTAssertTrue(reports[0].contains("Values are inuse_space per run."), reports[0])
    // Allocated: the three known functions, in MB.
    for name in ["load_rows", "build_index", "tokenize"] {
      XCTAssertTrue(reports[1].contains("MB  \(name)") || reports[1].contains("%  \(name)"), reports[1])
    }
  }

  func testDefaultRateStaysWithinItsStatisticalBounds() throws {
    // 450 MiB at 512 KiB: ~900 samples, 3.3 % standard deviation; build_index's 100 blocks of
    // 1 MiB are each sampled with p = 1 - e^-2: 4 % standard deviation of its estimate.
    let (r, pb) = try record(try Workloads.path("allocs"), rate: nil)
    let alloc = try flat(pb, "alloc_space")
    assertWithin(alloc.values.reduce(0, +), 450 * mib, 0.15, "total alloc_space at the default rate")
    assertWithin(try flat(pb, "inuse_space")["build_index"], 100 * mib, 0.18, "inuse_space at the default rate")
    XCTAssertTrue(r.stdout.contains("one per 512.0 KiB on average"), r.stdout)
    XCTAssertTrue(r.stdout.contains("build_index ← ground_truth"), r.stdout)
  }

  func testForkedChildKeepsRecording() throws {
    let (r, pb) = try record(try Workloads.path("allocs") + " fork")
    let alloc = try flat(pb, "alloc_space")
    assertWithin(alloc["load_rows"], 300 * mib, 0.05, "load_rows in the forked child")
    assertWithin(try flat(pb, "inuse_space")["build_index"], 100 * mib, 0.05, "the child's blocks held at its exit")
    XCTAssertTrue(r.stdout.contains("build_index ← ground_truth"), r.stdout)
  }

  func testExecedImageKeepsRecordingAndTheOldHeapIsDropped() throws {
    let (r, pb) = try record(try Workloads.path("allocs") + " exec")
    let top = try GoToolchain.pprofTop(pb, sampleIndex: "alloc_space")
    // 8 MiB at 8 KiB is ~1000 samples: 3.1 % standard deviation, so ±15 % (4.8 sigma).
    assertWithin(top["warm_up"].map { Double($0.cum) }, 8 * mib, 0.15, "warm_up before the exec")
    assertWithin(top["load_rows"].map { Double($0.flat) }, 300 * mib, 0.05, "load_rows after the exec")
    let inuse = try flat(pb, "inuse_space")
    assertWithin(inuse.values.reduce(0, +), 100 * mib, 0.05, "only the new image's blocks are in use at exit")
    XCTAssertNil(top["[unknown]"], "the old image's stacks are symbolized with the old image's mappings")
    XCTAssertTrue(r.stdout.contains("build_index"), r.stdout)
  }

  func testStaticBinarySaysWhyThereIsNoAllocationData() throws {
    try PerfEvents.skipUnlessAvailable()
    let source = try Workloads.path("allocs").replacingOccurrences(of: "/bin/allocs", with: "/workloads/allocs.c")
    let binary = home.appendingPathComponent("allocs-static").path
    let cc = try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/gcc"), ["-O1", "-static", "-fno-omit-frame-pointer", "-o", binary, source])
    XCTAssertEqual(cc.status, 0, cc.stderr)
    let r = try perfsh("run --alloc \(binary); summary")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(
      r.stderr.contains("no allocation data: allocs-static is statically linked, so LD_PRELOAD cannot"), r.stderr)
    XCTAssertTrue(r.stdout.contains("Allocations: none recorded"), r.stdout)
  }

  func testSetUserIDTargetSaysWhyThereIsNoAllocationData() throws {
    try PerfEvents.skipUnlessAvailable()
    try XCTSkipIf(geteuid() != 0, "making a set-user-ID nobody program needs root")
    let program = home.appendingPathComponent("allocs-suid").path
    try FileManager.default.copyItem(atPath: try Workloads.path("allocs"), toPath: program)
    let nobody = try XCTUnwrap(getpwnam("nobody"), "no user nobody").pointee.pw_uid
    XCTAssertEqual(chown(program, nobody, 0), 0)
    XCTAssertEqual(chmod(program, 0o4755), 0)
    let r = try perfsh("run --alloc \(program); summary")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(
      r.stderr.contains(
        "no allocation data: allocs-suid is set-user-ID nobody, and the dynamic loader ignores LD_PRELOAD"),
      r.stderr)
    XCTAssertTrue(r.stdout.contains("Allocations: none recorded"), r.stdout)
  }

  func testAProgramExecdWithoutLDPreloadIsNamed() throws {
    try PerfEvents.skipUnlessAvailable()
    let allocs = try Workloads.path("allocs")
    let r = try perfsh("run --alloc /usr/bin/env -u LD_PRELOAD \(allocs)")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(
      r.stderr.contains("no allocation data from 1 exec'd program that did not load the recorder (LD_PRELOAD cleared"),
      r.stderr)
    XCTAssertTrue(r.stderr.contains(": allocs (pid "), r.stderr)
  }

  func testWithoutFramePointersTheStacksComeFromLibunwind() throws {
    // gcc -O2 omits frame pointers: a frame-pointer walk stops at the allocating function.
    let source = try Workloads.path("allocs").replacingOccurrences(of: "/bin/allocs", with: "/workloads/allocs.c")
    let binary = home.appendingPathComponent("allocs-nofp").path
    let cc = try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/gcc"), ["-O2", "-fomit-frame-pointer", "-o", binary, source])
    XCTAssertEqual(cc.status, 0, cc.stderr)
    let (r, pb) = try record(binary, then: "; info")
    XCTAssertTrue(r.stdout.contains("allocation stacks: libunwind (DWARF CFI)"), r.stdout)
    XCTAssertTrue(r.stdout.contains("build_index ← main ← __libc_start_call_main"), r.stdout)
    let top = try GoToolchain.pprofTop(pb, sampleIndex: "alloc_space")
    assertWithin(top["main"].map { Double($0.cum) }, 450 * mib, 0.05, "every allocation's stack reaches main")
  }

  func testCxxNewDeleteStressOnFourThreads() throws {
    // 4 threads x 2.5 M new/delete of 64-byte objects (640 MB) plus 4000 kept 16 KiB arrays.
    let source = home.appendingPathComponent("stress.cpp")
    try """
    #include <thread>
    #include <vector>
    struct Token { char bytes[64]; };
    static Token *volatile sink;
    std::vector<char *> kept;
    __attribute__((noinline)) void churn() {
      for (int i = 0; i < 2500000; i++) { Token *t = new Token; t->bytes[0] = 1; sink = t; delete t; }
    }
    __attribute__((noinline)) void keep() { for (int i = 0; i < 4000; i++) kept.push_back(new char[16384]); }
    int main() {
      kept.reserve(4000);
      std::vector<std::thread> threads;
      for (int i = 0; i < 4; i++) threads.emplace_back(churn);
      for (auto &t : threads) t.join();
      keep();
      return 0;
    }
    """.write(to: source, atomically: true, encoding: .utf8)
    let binary = home.appendingPathComponent("stress").path
    let cxx = try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/g++"), ["-O1", "-fno-omit-frame-pointer", "-pthread", "-o", binary, source.path])
    XCTAssertEqual(cxx.status, 0, cxx.stderr)
    let (_, pb) = try record(binary, rate: nil)
    let alloc = try flat(pb, "alloc_space")
    // 640 MB at 512 KiB: ~1220 samples, 2.9 % standard deviation.
    assertWithin(alloc["churn()"], 640_000_000, 0.12, "churn's operator new")
    let objects = try flat(pb, "alloc_objects")
    XCTAssertEqual(
      objects["churn()"] ?? 0, 10_000_000, accuracy: 1_200_000, "10 M new, seen as their caller, not operator new")
    // 64 MB held: ~125 samples, 9 % standard deviation.
    assertWithin(try flat(pb, "inuse_space")["keep()"], 65_536_000, 0.36, "keep's arrays held at exit")
  }

  func testGoToolPprofTopAgreesWithPerfshTopOnInUseSpace() throws {
    try PerfEvents.skipUnlessAvailable()
    let pb = home.appendingPathComponent("inuse.pb.gz")
    let ours = try perfsh(
      "run --alloc --alloc-rate 8192 \(try Workloads.path("allocs")); export pprof \(pb.path); top 0 --sample-index inuse_space"
    )
    XCTAssertEqual(ours.status, 0, ours.stderr)
    let go = try XCTUnwrap(GoToolchain.goPath)
    let theirs = try GoToolchain.run(
      [go, "tool", "pprof", "-top", "-symbolize=none", "-sample_index=inuse_space", pb.path], in: home)
    func table(_ text: String) -> [String] {
      let lines = text.split(separator: "\n").map(String.init)
      guard let start = lines.firstIndex(where: { $0.hasPrefix("Showing nodes accounting for") }) else { return [] }
      return Array(lines[start...].prefix { !$0.isEmpty })
    }
    XCTAssertGreaterThan(table(theirs).count, 2, theirs)
    XCTAssertEqual(table(ours.stdout), table(theirs))
  }
}

import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// One off-CPU session, three clocks: heatmap --clock cpu|wall|offcpu, sampled wall() in assert,
/// and peek/tree/list/compare on the offcpu column (critical-thread view by default).
final class OffCPUClockTests: XCTestCase {
  private func shell() -> CapturedShell {
    let s = CapturedShell()
    _ = s.context.addSession(CriticalThreadViewTests.poolProfile(), name: "pool", source: .run(command: ["./pool"]))
    return s
  }

  func testHeatmapShowsEachClock() {
    let s = shell()
    let script = """
      heatmap table --clock cpu
      heatmap table --clock wall
      heatmap table --clock offcpu
      heatmap table --clock offcpu --all-threads
      """
    XCTAssertEqual(s.runScript(script + "\n").exitStatus, 0, s.stderr)
    assertSnapshot(s.stdout, named: "offcpu-heatmap-clocks")
    let tables = s.stdout.components(separatedBy: "Function ").dropFirst().map { String($0) }
    guard tables.count == 4 else { return XCTFail(s.stdout) }
    XCTAssertTrue(
      tables[0].contains("CPU Time") && tables[0].contains("busy") && !tables[0].contains("nanosleep"), tables[0])
    XCTAssertTrue(
      tables[1].contains("Wall Time") && tables[1].contains("busy") && tables[1].contains("300ms"), tables[1])
    XCTAssertTrue(
      tables[2].contains("Off-CPU Time") && !tables[2].contains("busy") && tables[2].contains("5ms"), tables[2])
    XCTAssertTrue(tables[3].contains("905ms"), "all threads: the idle worker's 900 ms too: \(tables[3])")
  }

  func testAssertWallOnASampledSessionIsTheInclusiveShareOfWallTime() {
    let s = shell()
    // rest: 300 ms of 505 ms wall on the critical threads (59.4 %); 300 of 1405 with every thread.
    XCTAssertEqual(
      s.runScript("assert wall(\"^rest$\") < 60%\nassert wall(\"^rest$\") > 59%\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.contains("measured 59.4% of the total (300ms)"), s.stdout)
    let failing = shell()
    XCTAssertEqual(failing.runScript("set allthreads on\nassert wall(\"^rest$\") > 25%\n").exitStatus, 1)
    XCTAssertTrue(failing.stderr.contains("measured 21.4% of the total (300ms)"), failing.stderr)
  }

  func testPeekTreeListAndCompareReadTheOffCPUColumn() {
    let s = shell()
    _ = s.context.addSession(CriticalThreadViewTests.poolProfile(), name: "pool2", source: .run(command: ["./pool"]))
    let script = """
      peek --sample-index offcpu rest
      tree --sample-index offcpu
      list --sample-index offcpu rest
      compare --sample-index offcpu 1 2
      """
    XCTAssertEqual(s.runScript(script + "\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.contains("Showing nodes accounting for 305ms, 100% of 305ms total"), s.stdout)
    XCTAssertFalse(s.stdout.contains("905ms"), "the idle worker is hidden in every view: \(s.stdout)")
  }

  func testHeatmapOffCPUClockNeedsASampledSession() {
    let s = CapturedShell()
    _ = s.context.addSession(ProfileFixtures.traced(), name: "traced", source: .run(command: ["./t"]))
    XCTAssertEqual(s.runScript("heatmap --clock offcpu\n").exitStatus, 1)
    XCTAssertTrue(s.stderr.contains("--clock offcpu needs a sampled run --off-cpu session"), s.stderr)
    let plain = CapturedShell()
    _ = plain.context.addSession(ProfileFixtures.cpu(), name: "cpu", source: .run(command: ["./c"]))
    XCTAssertEqual(plain.runScript("heatmap --clock wall\n").exitStatus, 1)
    XCTAssertTrue(plain.stderr.contains("wall"), plain.stderr)
  }
}

/// The summary's off-CPU loss line names the cause of its path: ring overflow on the record
/// path, the kernel side's drops (told apart in `info`) on the BPF path.
final class OffCPULossLineTests: XCTestCase {
  private func summary(notes: [String]) -> String {
    var p = CriticalThreadViewTests.poolProfile()
    var offCPU = p.run.offCPU ?? OffCPUSummary()
    offCPU.lostRecords = 3
    p.run.offCPU = offCPU
    p.run.notes += notes
    let s = CapturedShell()
    _ = s.context.addSession(p, name: "pool", source: .run(command: ["./pool"]))
    XCTAssertEqual(s.runScript("summary\n").exitStatus, 0, s.stderr)
    return s.stdout
  }

  func testRecordPathSaysRingOverflow() {
    XCTAssertTrue(summary(notes: []).contains("Off-CPU records lost: 3 (ring overflow; waits are undercounted)"))
  }

  func testBPFPathPointsToInfo() {
    let out = summary(notes: ["off-CPU in the kernel: 10 switch-outs in 2 aggregates"])
    XCTAssertTrue(
      out.contains("Off-CPU records lost: 3 (dropped in the kernel, see info; waits are undercounted)"), out)
  }
}

import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// The critical-thread view of off-CPU sessions: `critical=no` rows (waits nobody on the
/// critical threads waited for) are hidden by default and shown by `--all-threads` or the setting.
final class CriticalThreadViewTests: XCTestCase {
  /// Main thread (tid 1): 200 ms CPU in busy, 300 ms asleep in rest; worker (tid 2): 5 ms off-CPU
  /// while main waited for it, 900 ms idle on a condition variable nobody waited for.
  static func poolProfile() -> Profile {
    let ms: Int64 = 1_000_000
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
      ValueType(type: "offcpu", unit: "nanoseconds"), ValueType(type: "wall", unit: "nanoseconds"),
    ])
    let tid = b.intern("tid")
    let critical = b.intern("critical")
    let no = b.intern("no")
    let main = [Label(key: tid, number: 1)]
    let worker = [Label(key: tid, number: 2)]
    b.addSample(rootFirstNames: ["main", "busy"], values: [200, 200 * ms, 0, 200 * ms], labels: main)
    b.addSample(rootFirstNames: ["main", "rest", "nanosleep"], values: [0, 0, 300 * ms, 300 * ms], labels: main)
    b.addSample(
      rootFirstNames: ["start_thread", "worker", "pthread_cond_wait"], values: [0, 0, 5 * ms, 5 * ms], labels: worker)
    b.addSample(
      rootFirstNames: ["start_thread", "worker", "pthread_cond_wait"], values: [0, 0, 900 * ms, 900 * ms],
      labels: worker + [Label(key: critical, string: no)])
    b.withProfile {
      $0.defaultSampleType = 1
      $0.run.command = ["./pool"]
      $0.run.elapsedNanos = 500 * ms
      var o = OffCPUSummary()
      o.mainThread = 1
      o.switches = 4
      o.offCPUNanos = 1205 * ms
      $0.run.offCPU = o
    }
    return b.build()
  }

  private func shell(_ settings: Settings = Settings()) -> CapturedShell {
    let s = CapturedShell(settings: settings)
    _ = s.context.addSession(Self.poolProfile(), name: "pool", source: .run(command: ["./pool"]))
    return s
  }

  func testDefaultViewHidesUnwaitedTimeAndAllThreadsShowsIt() {
    let s = shell()
    let script = """
      summary
      top --sample-index offcpu
      top --sample-index offcpu --all-threads
      peek --sample-index wall worker
      peek --sample-index wall --all-threads worker
      """
    XCTAssertEqual(s.runScript(script + "\n").exitStatus, 0, s.stderr)
    assertSnapshot(s.stdout, named: "offcpu-critical-threads")
    XCTAssertTrue(s.stdout.contains("Showing nodes accounting for 305ms, 100% of 305ms total"), s.stdout)
    XCTAssertTrue(s.stdout.contains("Showing nodes accounting for 1205ms, 100% of 1205ms total"), s.stdout)
  }

  func testTheSettingShowsEveryThread() {
    let s = shell()
    XCTAssertEqual(s.runScript("set allthreads on\ntop --sample-index offcpu\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.contains("of 1205ms total"), s.stdout)
  }

  func testBreakdownCountsHiddenTimeApart() throws {
    let b = try XCTUnwrap(WaitReasons.breakdown(Self.poolProfile()))
    XCTAssertEqual(b.waitingNanos, 300_000_000)
    XCTAssertEqual(b.otherThreads, 1)
    XCTAssertEqual(b.otherThreadsNanos, 5_000_000)
    XCTAssertEqual(b.unwaitedThreads, 1)
    XCTAssertEqual(b.unwaitedNanos, 900_000_000)
    XCTAssertTrue(UnwaitedTime.isPresent(in: Self.poolProfile()))
    XCTAssertEqual(UnwaitedTime.hidden(from: Self.poolProfile()).samples.count, 3)
  }
}

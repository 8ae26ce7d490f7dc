import Foundation
import PerfshTestSupport
import XCTest

/// `perfsh run` on workloads whose hot spots are known by construction, through the real
/// binary, the real sampler and the real symbolizer.
final class ProfilingEndToEndTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    home = try GoToolchain.temporaryDirectory("e2e-profiling")
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: home)
  }

  private func perfsh(_ arguments: [String], stdin: String = "") throws -> ProcessResult {
    try PerfshBinary.run(
      arguments, stdin: stdin, environment: try PerfshBinary.environment(home: home), directory: home)
  }

  func testRatioWorkloadSharesAreSixThreeOne() throws {
    try PerfEvents.skipUnlessAvailable()
    let csv = home.appendingPathComponent("ratio.csv").path
    let r = try perfsh(["-c", "run \(try Workloads.path("ratio")); export csv \(csv)"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let rows = parseHeatmapCSV(try String(contentsOfFile: csv, encoding: .utf8))
    let hot = rows["hot60"]?.cpuNanos ?? 0
    let warm = rows["warm30"]?.cpuNanos ?? 0
    let cool = rows["cool10"]?.cpuNanos ?? 0
    let sum = Double(hot + warm + cool)
    XCTAssertGreaterThan(sum, 0, "the three functions are named in the profile: \(rows.keys.sorted())")
    XCTAssertEqual(Double(hot) / sum * 100, 60, accuracy: 3)
    XCTAssertEqual(Double(warm) / sum * 100, 30, accuracy: 3)
    XCTAssertEqual(Double(cool) / sum * 100, 10, accuracy: 3)
  }

  func testOneShotRunPrintsSummaryAndTopAndExitsWithTheSignal() throws {
    try PerfEvents.skipUnlessAvailable()
    let r = try perfsh(["run", try Workloads.path("crash")])
    XCTAssertEqual(r.status, 128 + 11, "killed by SIGSEGV → 139")
    XCTAssertTrue(r.stdout.contains("=== perfsh Performance Summary ==="), r.stdout)
    XCTAssertTrue(r.stdout.contains("Exit: killed by SIGSEGV"), r.stdout)
    XCTAssertTrue(r.stdout.contains("crash_work"), "the work before the crash is in the session:\n\(r.stdout)")
    XCTAssertTrue(r.stdout.contains("flat  flat%   sum%        cum   cum%"), r.stdout)
  }

  func testMissingAndNonExecutableCommands() throws {
    let missing = try perfsh(["run", "no-such-command-xyz"])
    XCTAssertEqual(missing.status, 127)
    XCTAssertTrue(missing.stderr.contains("perfsh: command not found: no-such-command-xyz"), missing.stderr)
    let file = home.appendingPathComponent("not-executable.sh")
    try "echo hi\n".write(to: file, atomically: true, encoding: .utf8)
    let denied = try perfsh(["run", file.path])
    XCTAssertEqual(denied.status, 126, denied.stderr)
    XCTAssertFalse(denied.stdout.contains("[1]"), "no session for a command that never ran")
  }

  func testForkedChildIsProfiled() throws {
    try PerfEvents.skipUnlessAvailable()
    let csv = home.appendingPathComponent("forker.csv").path
    let r = try perfsh(["-c", "run \(try Workloads.path("forker")); export csv \(csv)"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let rows = parseHeatmapCSV(try String(contentsOfFile: csv, encoding: .utf8))
    XCTAssertGreaterThan(rows["child_work"]?.count ?? 0, 10, "the exec'd child's samples: \(rows)")
    XCTAssertGreaterThan(rows["parent_work"]?.count ?? 0, 0)
  }

  func testTimeoutStopsTheTargetAndKeepsTheSession() throws {
    try PerfEvents.skipUnlessAvailable()
    let r = try perfsh(["-c", "run --timeout 500ms \(try Workloads.path("sleeper")); info; top 3"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("Interrupted: yes"), r.stdout)
    XCTAssertTrue(r.stdout.contains("killed by SIGTERM"), r.stdout)
    XCTAssertTrue(r.stdout.contains("sleeper_spin"), "what ran before the timeout is kept:\n\(r.stdout)")
  }

  func testThreadsAreSeparatedAndLabelled() throws {
    try PerfEvents.skipUnlessAvailable()
    let go = try XCTUnwrap(GoToolchain.goPath, "golang-go is installed by scripts/test")
    let pb = home.appendingPathComponent("threads.pb.gz").path
    let r = try perfsh(["-c", "run \(try Workloads.path("threads")); top 5; export pprof \(pb)"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("alpha_work") && r.stdout.contains("beta_work"), r.stdout)
    let tags = try ProcessRunner.run(URL(fileURLWithPath: go), ["tool", "pprof", "-tags", pb])
    XCTAssertEqual(tags.status, 0, tags.stderr)
    XCTAssertTrue(
      tags.stdout.contains("worker-alpha") && tags.stdout.contains("worker-beta"),
      "thread labels survive export:\n\(tags.stdout)")
  }

  func testListShowsSourceLinesOfTheHotLoop() throws {
    try PerfEvents.skipUnlessAvailable()
    let r = try perfsh(["-c", "run \(try Workloads.path("ratio")); list ^hot60$"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("ROUTINE ======================== hot60"), r.stdout)
    XCTAssertTrue(r.stdout.contains("ratio.c"), r.stdout)
    XCTAssertTrue(r.stdout.contains("for ("), "source text is shown:\n\(r.stdout)")
  }

  func testHeatmapWithoutTerminalPrintsSummaryTableAndTheNote() throws {
    try PerfEvents.skipUnlessAvailable()
    let r = try perfsh(["run", "--heatmap", try Workloads.path("ratio")])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("=== perfsh Performance Summary ==="))
    XCTAssertTrue(
      r.stdout.contains("Function") && r.stdout.contains("CPU Time") && r.stdout.contains("hot60"), r.stdout)
    XCTAssertTrue(r.stderr.contains("No TTY available for interactive visualization"), r.stderr)
  }

  /// Ctrl-C (SIGINT to perfsh) while a script's target runs: the target gets it, the
  /// session keeps what was captured, and the script goes on.
  func testInterruptDuringARunKeepsTheSessionAndTheScriptGoesOn() throws {
    try PerfEvents.skipUnlessAvailable()
    let binary = try PerfshBinary.url().path
    let sleeper = try Workloads.path("sleeper")
    let shell = """
      '\(binary)' -c 'run \(sleeper); info; top 10 --cum; echo script-went-on' & pid=$!
      sleep 1; kill -INT $pid; wait $pid; echo "perfsh-status=$?"
      """
    let r = try ProcessRunner.run(
      URL(fileURLWithPath: "/bin/sh"), ["-c", shell], environment: try PerfshBinary.environment(home: home),
      directory: home)
    XCTAssertTrue(r.stdout.contains("Interrupted: yes"), r.stdout + r.stderr)
    XCTAssertTrue(r.stdout.contains("killed by SIGINT"), r.stdout)
    XCTAssertTrue(r.stdout.contains("sleeper_spin"), "what ran before Ctrl-C is in the session:\n\(r.stdout)")
    XCTAssertTrue(r.stdout.contains("script-went-on"), r.stdout)
    XCTAssertTrue(r.stdout.contains("perfsh-status=0"), r.stdout)
  }

  /// perf_event_open refused (as a container's seccomp profile does): one clear message, no
  /// session, and the command is not left running.
  func testRefusedPerfEventsGiveOneClearMessageAndNoSession() throws {
    let source = home.appendingPathComponent("deny.c")
    try Self.denySource.write(to: source, atomically: true, encoding: .utf8)
    let deny = home.appendingPathComponent("deny").path
    let cc = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/gcc"), ["-O1", "-o", deny, source.path])
    XCTAssertEqual(cc.status, 0, cc.stderr)
    let r = try ProcessRunner.run(
      URL(fileURLWithPath: deny), [try PerfshBinary.url().path, "-c", "run \(try Workloads.path("ratio")); sessions"],
      environment: try PerfshBinary.environment(home: home), directory: home)
    XCTAssertEqual(r.status, 1, r.stderr)
    XCTAssertTrue(r.stderr.contains("perf events are not permitted"), r.stderr)
    XCTAssertTrue(r.stderr.contains("kernel.perf_event_paranoid is"), r.stderr)
    XCTAssertEqual(r.stderr.components(separatedBy: "not permitted").count, 2, "said once:\n\(r.stderr)")
    XCTAssertFalse(r.stdout.contains("ratio done"), "the target never ran")
    XCTAssertFalse(r.stdout.contains("[1]"), "no session")
  }

  /// Runs a command with perf_event_open(2) failing with EACCES, through a seccomp filter.
  static let denySource = """
    #include <errno.h>
    #include <linux/filter.h>
    #include <linux/seccomp.h>
    #include <stddef.h>
    #include <stdio.h>
    #include <sys/prctl.h>
    #include <sys/syscall.h>
    #include <unistd.h>
    int main(int argc, char **argv) {
      if (argc < 2) return 2;
      struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_perf_event_open, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      };
      struct sock_fprog prog = {.len = sizeof(filter) / sizeof(filter[0]), .filter = filter};
      if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("seccomp");
        return 2;
      }
      execvp(argv[1], argv + 1);
      perror("execvp");
      return 127;
    }
    """
}

import Foundation
import PerfshTestSupport
import XCTest

/// A fresh machine may boot without tracefs mounted: the first BPF trace and BPF off-CPU run
/// must mount it themselves (as root), not fail with "no such file or directory" from libbpf.
/// Checked in a private mount namespace where tracefs is unmounted, so the machine is untouched.
final class TracefsMountEndToEndTests: XCTestCase {
  func testBPFPathsMountTracefsWhereNothingHasYet() throws {
    try PerfEvents.skipUnlessAvailable()
    try XCTSkipIf(geteuid() != 0, "unmounting tracefs in a private mount namespace needs root")
    let calls = try Workloads.path("calls")
    let script = """
      umount -l /sys/kernel/tracing 2>/dev/null; umount -l /sys/kernel/debug/tracing 2>/dev/null
      test -e /sys/kernel/tracing/events && exit 77
      exec "$0" -c "run --trace '^inner$' \(calls); run --off-cpu --off-cpu-method bpf /bin/sleep 0.05; info"
      """
    let result = try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/unshare"),
      ["--mount", "--propagation", "private", "/bin/sh", "-c", script, try PerfshBinary.url().path])
    try XCTSkipIf(result.status == 77, "tracefs could not be unmounted in a private namespace here")
    if result.stdout.contains("BPF is not available") { throw XCTSkip("BPF is not available here: \(result.stdout)") }
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stdout.contains("calls 40,000 (bpf)"), result.stdout + result.stderr)
    XCTAssertTrue(result.stdout.contains("off-CPU capture: in the kernel (BPF on sched_switch)"), result.stdout)
    XCTAssertFalse(result.stderr.contains("no such file"), result.stderr)
  }
}

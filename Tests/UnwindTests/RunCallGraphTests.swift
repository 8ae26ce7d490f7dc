import Capture
import Foundation
import PerfshTestSupport
import XCTest

/// `run --call-graph` in the shell, and thread stacks ending at the thread's start.
final class RunCallGraphTests: XCTestCase {
  /// The shell's `run` passes `--call-graph` through; `info` shows the mode and the
  /// complete/truncated counts per binary, and `tree` shows the whole deep chain.
  func testRunCallGraphDwarfShowsInInfoAndTree() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("deepchain")
    let shell = CapturedShell()
    shell.runScript("run --call-graph dwarf \(bin)\ninfo\ntree")
    let out = shell.stdout
    XCTAssertTrue(out.contains("call graph: dwarf, \(CallGraph.defaultStackBytes)-byte stack copies"), out)
    XCTAssertTrue(out.contains("unwound stacks:"), out)
    XCTAssertTrue(out.contains("libdeepchain.so:"), out)
    for name in ["main", "chain_a", "chain_c", "via_inline", "chain_d", "lib_level1", "lib_spin"] {
      XCTAssertTrue(out.contains(" \(name)\n"), "\(name) in tree:\n\(out)")
    }
  }

  /// A bad `--call-graph` value is refused before anything runs.
  func testRunRejectsUnknownCallGraph() throws {
    let bin = try UnwindWorkloads.binary("ratio_nofp")
    let shell = CapturedShell()
    shell.runScript("run --call-graph lbr \(bin)")
    XCTAssertTrue(shell.stderr.contains("--call-graph takes fp, dwarf"), shell.stderr)
    XCTAssertFalse(shell.stdout.contains("ratio done"))
  }

  /// Threads' stacks stop cleanly at their start (clone3 / start_thread), counted complete.
  func testThreadStacksEndAtThreadStart() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("threads")
    let (p, stacks) = try UnwindWorkloads.capture([bin], callGraph: .dwarf(stackBytes: 16384))
    let (share, cpu) = UnwindWorkloads.share(
      stacks, of: { $0.names.contains("alpha_work") || $0.names.contains("beta_work") }
    ) {
      s in s.names.last == "clone3" && s.names.contains("start_thread") && !s.names.contains("[unknown]")
    }
    XCTAssertGreaterThan(cpu, 0)
    XCTAssertGreaterThanOrEqual(share, 0.99)
    XCTAssertTrue(p.run.notes.contains { $0.contains("threads:") && $0.hasSuffix(" 0 truncated") }, "\(p.run.notes)")
  }

  /// A stack deeper than its copy ends with exactly one `[truncated] THREAD` frame: a copy too
  /// small for the chain (64 bytes) cuts deepchain's stacks, never with garbage below.
  func testTruncatedStackEndsWithOneTruncatedFrame() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("deepchain")
    let (p, stacks) = try UnwindWorkloads.capture([bin], callGraph: .dwarf(stackBytes: 64))
    var truncated = 0
    for s in stacks where s.names.contains("lib_spin") {
      XCTAssertFalse(s.names.contains("[unknown]"), "\(s.names)")
      if let u = s.names.firstIndex(of: "[truncated] deepchain") {
        truncated += 1
        XCTAssertEqual(u, s.names.count - 1, "the marker is the outermost frame: \(s.names)")
        XCTAssertEqual(s.names.filter { $0.hasPrefix("[truncated]") }.count, 1)
      }
      // Whatever was unwound is a true prefix of the known chain.
      let chain = [
        "lib_spin", "lib_level3", "lib_level2", "lib_level1", "chain_d", "via_inline", "chain_c", "chain_b", "chain_a",
        "main",
      ]
      let user = Array(s.names.drop { $0 != "lib_spin" }.prefix { !$0.hasPrefix("[truncated]") })
      let n = min(user.count, chain.count)
      XCTAssertEqual(Array(user.prefix(n)), Array(chain.prefix(n)), "\(s.names)")
    }
    XCTAssertGreaterThan(truncated, 0, "a 64-byte copy cannot hold the whole chain")
    XCTAssertTrue(p.run.notes.contains { $0.contains("stack deeper than the copy") }, "\(p.run.notes)")
  }
}

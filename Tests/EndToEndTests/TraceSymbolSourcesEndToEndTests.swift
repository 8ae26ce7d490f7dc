import Foundation
import PerfshTestSupport
import XCTest

/// Tracing sees what the sampler sees: probe sites come from the symbolizer's sources
/// (`.dynsym` aliases, separate debug files), and `trace-top` passes over what it cannot trace.
final class TraceSymbolSourcesEndToEndTests: TracedWorkloadTestCase {
  override class var homePrefix: String { "trace-sources-e2e" }

  /// `[name: count]` from the rows of `heatmap table`.
  private func counts(_ table: String) -> [String: Int] {
    var result: [String: Int] = [:]
    for line in table.split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      if f.count >= 2, let n = Int(f[1].replacingOccurrences(of: ",", with: "")) { result[String(f[0])] = n }
    }
    return result
  }

  /// Compiles `source` in the test's home with gcc `flags`; returns the binary's path.
  private func buildC(_ name: String, _ source: String, flags: [String] = ["-O1", "-g"]) throws -> String {
    let file = home.appendingPathComponent("\(name).c")
    try source.write(to: file, atomically: true, encoding: .utf8)
    let binary = home.appendingPathComponent(name).path
    let r = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/gcc"), flags + ["-o", binary, file.path])
    XCTAssertEqual(r.status, 0, r.stderr)
    return binary
  }

  private func tool(_ path: String, _ arguments: [String]) throws {
    let r = try ProcessRunner.run(URL(fileURLWithPath: path), arguments)
    XCTAssertEqual(r.status, 0, "\(path) \(arguments): \(r.stderr)")
  }

  /// libc's `free` shares its address with `cfree`; `libc.so.6:^free$` resolves through `.dynsym`.
  func testFreeIsTracedByName() throws {
    let bin = try buildC(
      "frees",
      """
      #include <stdlib.h>
      int main(void) {
        for (int i = 0; i < 5000; i++) { void *volatile p = malloc(32 + i % 7); free(p); }
        return 0;
      }
      """)
    let r = try perfsh(#"run --no-sample --trace "libc.so.6:^free$" "# + bin + "; heatmap table")
    XCTAssertEqual(r.status, 0, r.stderr)
    let calls = try XCTUnwrap(counts(r.stdout)["free"], r.stdout)
    // The program's 5,000 plus whatever libc and the loader free themselves.
    XCTAssertGreaterThanOrEqual(calls, 5000, r.stdout)
    XCTAssertLessThan(calls, 5100, r.stdout)
  }

  /// A static function whose symbol lives only in a separate debug file (objcopy
  /// --only-keep-debug + --add-gnu-debuglink, as distributions ship) is traced by name.
  func testSymbolOnlyInSeparateDebugFileIsTracedByName() throws {
    let full = try buildC(
      "hidden.full",
      """
      volatile int sink;
      static __attribute__((noinline)) void hidden_step(int i) { sink += i; }
      int main(void) { for (int i = 0; i < 3000; i++) hidden_step(i); return 0; }
      """)
    let debug = home.appendingPathComponent("hidden.debug").path
    let stripped = home.appendingPathComponent("hidden").path
    try tool("/usr/bin/objcopy", ["--only-keep-debug", full, debug])
    try tool("/usr/bin/objcopy", ["--strip-all", "--add-gnu-debuglink=\(debug)", full, stripped])
    let nm = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/nm"), ["-D", "--defined-only", stripped])
    XCTAssertFalse(nm.stdout.contains("hidden_step"), "the stripped binary itself does not name it")
    let r = try perfsh(#"run --no-sample --trace "^hidden_step$" "# + stripped + "; heatmap table")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(counts(r.stdout)["hidden_step"], 3000, r.stdout)
  }

  /// `trace-top 1` over a session whose top function has no symbol (a stripped binary: the
  /// sampler names it from .eh_frame) skips it with a note and traces the next one.
  func testTraceTopSkipsAFunctionItCannotTrace() throws {
    let full = try buildC(
      "ranked.full",
      """
      #include <time.h>
      volatile unsigned long sink;
      static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
      static __attribute__((noinline)) void top_hidden(int n) { for (int i = 0; i < n; i++) sink += i * 3; }
      __attribute__((noinline)) void second_visible(int n) { for (int i = 0; i < n; i++) sink += i; }
      int main(void) {
        double end = now() + 0.6;
        while (now() < end) { top_hidden(300000); second_visible(100000); }
        return 0;
      }
      """, flags: ["-O1", "-rdynamic"])
    let stripped = home.appendingPathComponent("ranked").path
    try tool("/usr/bin/strip", ["--strip-all", "-o", stripped, full])
    let r = try perfsh("run \(stripped); trace-top 1; heatmap table")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("trace-top: skipped ranked+0x"), r.stdout)
    XCTAssertTrue(r.stdout.contains("no symbol of ranked has this name"), r.stdout)
    XCTAssertTrue(r.stdout.contains("tracing 1 functions: second_visible"), r.stdout)
    XCTAssertGreaterThan(counts(r.stdout)["second_visible"] ?? 0, 0, r.stdout)
  }

  /// A tiny function called millions of times: trace-top's trial estimates a slowdown far above
  /// 3×, so a script stops with the estimate and how to go on (`--yes` would go on: see
  /// TraceCostEstimateTests; tracing this program fully would take minutes).
  func testTraceTopEstimatesTheSlowdownAndStopsAScriptWithoutYes() throws {
    let bin = try buildC(
      "tiny",
      """
      volatile unsigned long sink;
      __attribute__((noinline)) void tiny(unsigned long i) { sink += i; }
      int main(void) { for (unsigned long i = 0; i < 60000000UL; i++) tiny(i); return 0; }
      """)
    // main's loop and tiny share the samples: the two of them are traced.
    let r = try perfsh("run \(bin); trace-top 2")
    XCTAssertNotEqual(r.status, 0, r.stdout)
    XCTAssertTrue(r.stderr.contains("trace-top: tracing is estimated to make tiny at least"), r.stderr)
    XCTAssertTrue(r.stderr.contains("% of its CPU in probe handling"), r.stderr)
    XCTAssertTrue(r.stderr.contains("add --yes"), r.stderr)
    XCTAssertFalse(r.stdout.contains("tracing 2 functions"), r.stdout)
  }

  /// `run --trace` checks the slowdown on the run itself (the command runs once: it counts its
  /// starts in a file): after its first 0.3 s, a tiny function called 60 M times is estimated
  /// far above 3×, so a script stops the command there and fails without a session; with
  /// `--yes` a shorter run goes on and is traced whole.
  func testRunTraceChecksTheSlowdownOnTheRunItselfAndStopsAScriptWithoutYes() throws {
    let bin = try buildC(
      "tinyrun",
      """
      #include <stdio.h>
      #include <stdlib.h>
      volatile unsigned long sink;
      __attribute__((noinline)) void tiny(unsigned long i) { sink += i; }
      int main(int argc, char **argv) {
        FILE *f = fopen(argv[1], "a");
        if (f) { fputs("start\\n", f); fclose(f); }
        unsigned long n = strtoul(argv[2], 0, 10);
        for (unsigned long i = 0; i < n; i++) tiny(i);
        return 0;
      }
      """)
    let starts = home.appendingPathComponent("starts").path
    let r = try perfsh("run --trace '^tiny$' \(bin) \(starts) 60000000; sessions")
    XCTAssertNotEqual(r.status, 0, r.stdout)
    XCTAssertTrue(r.stderr.contains("run: tracing is estimated to make tinyrun at least"), r.stderr)
    XCTAssertTrue(r.stderr.contains("of the CPU of the run's first 0.3s in probe handling"), r.stderr)
    XCTAssertTrue(r.stderr.contains("stopped it there; add --yes"), r.stderr)
    XCTAssertEqual(try String(contentsOfFile: starts, encoding: .utf8), "start\n", "the command ran once")

    let y = try perfsh("run --yes --trace '^tiny$' \(bin) \(starts) 300000; heatmap table")
    XCTAssertEqual(y.status, 0, y.stderr)
    XCTAssertFalse(y.stderr.contains("estimated"), y.stderr)
    XCTAssertEqual(counts(y.stdout)["tiny"], 300_000, y.stdout)
  }

  /// A light trace (a few hundred calls) goes on without asking.
  func testTraceTopGoesOnWhenTheEstimateIsSmall() throws {
    let r = try perfsh("run examples/bin/calls; trace-top 1")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("tracing 1 functions"), r.stdout)
    XCTAssertFalse(r.stderr.contains("estimated"), r.stderr)
  }
}

import Foundation
import PerfshTestSupport
import XCTest

/// `run --trace` through the built perfsh binary, on the bundled calls workloads.
final class TraceEndToEndTests: TracedWorkloadTestCase {
  override class var homePrefix: String { "trace-e2e" }

  /// `[name: count]` from the rows of `heatmap table`.
  private func counts(_ table: String) -> [String: Int] {
    var result: [String: Int] = [:]
    for line in table.split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      if f.count >= 2, let n = Int(f[1].replacingOccurrences(of: ",", with: "")) { result[String(f[0])] = n }
    }
    return result
  }

  func testHeatmapShowsExactCounts() throws {
    let r = try perfsh(#"run --trace "^inner$" --trace "^outer$" examples/bin/calls; heatmap table"#)
    XCTAssertEqual(r.status, 0, r.stderr)
    let c = counts(r.stdout)
    XCTAssertEqual(c["inner"], 40_000, r.stdout)
    XCTAssertEqual(c["outer"], 400, r.stdout)
  }

  /// While tracing, sampled stacks stay whole: uretprobe trampolines in the copied stacks are
  /// replaced by the real return addresses (before: `main` was `[unknown]` in every stack, so
  /// none was under it) and the probe's kernel frames are one `[probe handling]` node.
  func testSampledStacksOfATracedRunStayWhole() throws {
    let file = home.appendingPathComponent("traced.folded")
    let r = try perfsh(
      #"run --trace "^inner$" --trace "^outer$" --trace "^recurse$" examples/bin/calls; export folded "# + file.path
        + "; top 40")
    XCTAssertEqual(r.status, 0, r.stderr)
    var total = 0
    var underMain = 0
    var probe = 0
    for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
      guard let space = line.lastIndex(of: " "), let n = Int(line[line.index(after: space)...]) else { continue }
      let frames = line[..<space].split(separator: ";")
      total += n
      if frames.contains("main") { underMain += n }
      if frames.last == "[probe handling]" { probe += n }
      XCTAssertFalse(frames.contains { $0.contains("uprobe") || $0 == "asm_exc_int3" }, String(line))
      XCTAssertFalse(frames.dropLast().contains("[probe handling]"), String(line))
    }
    XCTAssertGreaterThan(total, 0)
    // Measured 97.8 % (643 and 644 of 658); 0 before.
    XCTAssertGreaterThanOrEqual(Double(underMain), 0.9 * Double(total), r.stdout)
    XCTAssertGreaterThan(probe, 0, r.stdout)
    XCTAssertEqual(r.stdout.components(separatedBy: "[probe handling]").count - 1, 1, r.stdout)
  }

  func testRepeatedTracedRunsAddUpTheirCounts() throws {
    let r = try perfsh(#"run -n 2 --no-sample --trace "^outer$" examples/bin/calls; heatmap table"#)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(counts(r.stdout)["outer"], 800, r.stdout)
  }

  func testExportedPprofCarriesCallsAndSelfTime() throws {
    guard GoToolchain.goPath != nil else { throw XCTSkip("go is not installed") }
    let file = home.appendingPathComponent("trace.pb.gz")
    let r = try perfsh(
      #"run --no-sample --trace "^inner$" --trace "^outer$" examples/bin/calls; export pprof "# + file.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    let calls = try GoToolchain.pprofTop(file, sampleIndex: "calls")
    XCTAssertEqual(calls["inner"]?.flat, 40_000)
    XCTAssertEqual(calls["outer"]?.flat, 400)
    let selfTime = try GoToolchain.pprofTop(file, sampleIndex: "self")
    XCTAssertGreaterThan(selfTime["inner"]?.flat ?? 0, 0)
  }

  func testTraceTopTracesTheHottestFunctionsOfASampledSession() throws {
    let r = try perfsh("run examples/bin/calls; trace-top 2; heatmap table")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("tracing 2 functions:"), r.stdout)
    let c = counts(r.stdout)
    XCTAssertEqual(c["inner"], 40_000, r.stdout)
    XCTAssertEqual(c["outer"], 400, r.stdout)
  }

  func testPatternMatchingNothingSuggestsCloseNames() throws {
    let r = try perfsh(#"run --trace "^innr$" examples/bin/calls"#)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("matches no function"), r.stderr)
    XCTAssertTrue(r.stderr.contains("inner"), r.stderr)
  }

  func testTooManyFunctionsNeedTraceMax() throws {
    let r = try perfsh(#"run --trace-max 2 --trace "." examples/bin/calls"#)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("--trace-max"), r.stderr)
  }

  /// examples/workloads/gotrace built into the test's home (`-ldflags=-s -w` when `stripped`).
  private func buildGoTrace(stripped: Bool = false) throws -> URL {
    guard let go = GoToolchain.goPath else { throw XCTSkip("go is not installed (scripts/test installs golang-go)") }
    let binary = home.appendingPathComponent(stripped ? "gotrace-stripped" : "gotrace")
    let source = Self.root.appendingPathComponent("examples/workloads/gotrace/main.go").path
    let flags = stripped ? ["-ldflags=-s -w"] : []
    let build = try ProcessRunner.run(
      URL(fileURLWithPath: go), ["build", "-o", binary.path] + flags + [source],
      environment: ["HOME": home.path, "GOCACHE": home.appendingPathComponent("gocache").path, "PATH": "/usr/bin:/bin"])
    XCTAssertEqual(build.status, 0, build.stderr)
    return binary
  }

  /// The cells of `function`'s row in `heatmap table`: Count, CPU Time, Avg, Max, P95.
  private func row(_ table: String, _ function: String) -> [String] {
    for line in table.split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
      if f.first == function { return Array(f.dropFirst()) }
    }
    return []
  }

  func testGoProgramGetsExactCountsAndDurations() throws {
    let binary = try buildGoTrace()
    // Single-stepped RETs make this trace ≥ 3× slower: --yes, or the slowdown check stops the script.
    let r = try perfsh(
      #"run --yes --trace '^main\.deep$' "# + binary.path
        + #" deep; heatmap table; top --sort avg; info; assert calls(main.deep) == 100050"#)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("deep calls=100050"), r.stdout)
    let cells = row(r.stdout, "main.deep")
    XCTAssertEqual(cells.first, "100050", r.stdout)
    XCTAssertEqual(cells.count, 5, r.stdout)
    XCTAssertFalse(cells.contains("-"), "Go calls have durations now: \(cells)")
    XCTAssertTrue(r.stdout.contains("calls paired per goroutine"), r.stdout)
    XCTAssertTrue(r.stdout.contains("probe main.deep at +4 on 'jbe"), r.stdout)
    XCTAssertFalse(r.stderr.contains("never returned"), r.stderr)
  }

  /// `export pprof` marks Go's per-goroutine traced numbers with a label `go tool pprof -tags`
  /// shows; a C program's traced numbers carry none.
  func testPprofExportLabelsPerGoroutineStatistics() throws {
    guard let go = GoToolchain.goPath else { throw XCTSkip("go is not installed") }
    let binary = try buildGoTrace()
    let goFile = home.appendingPathComponent("go-trace.pb.gz")
    let cFile = home.appendingPathComponent("c-trace.pb.gz")
    let r = try perfsh(
      #"run --no-sample --trace '^main\.deep$' "# + binary.path + " deep; export pprof " + goFile.path
        + #"; run --no-sample --trace "^outer$" examples/bin/calls; export pprof "# + cFile.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    let tags = try GoToolchain.run([go, "tool", "pprof", "-tags", "-sample_index=calls", goFile.path], in: home)
    XCTAssertTrue(tags.contains("calls_paired: Total 100050"), tags)
    // `go tool pprof` prints the total as 100050.0 and then the value's line.
    XCTAssertTrue(tags.contains("(  100%): per goroutine"), tags)
    let cTags = try GoToolchain.run([go, "tool", "pprof", "-tags", "-sample_index=calls", cFile.path], in: home)
    XCTAssertFalse(cTags.contains("calls_paired"), cTags)
    XCTAssertEqual(try GoToolchain.pprofTop(goFile, sampleIndex: "calls")["main.deep"]?.flat, 100_050)
  }

  func testStrippedGoProgramTracesThroughGopclntab() throws {
    let binary = try buildGoTrace(stripped: true)
    let r = try perfsh(#"run --no-sample --trace '^main\.deep$' "# + binary.path + #" deep; heatmap table"#)
    XCTAssertEqual(r.status, 0, r.stderr)
    let cells = row(r.stdout, "main.deep")
    XCTAssertEqual(cells.first, "100050", r.stdout)
    XCTAssertFalse(cells.contains("-"), "\(cells)")
  }

  func testGoPanicsShowAsCallsThatDidNotReturn() throws {
    let binary = try buildGoTrace()
    let r = try perfsh(
      #"run --no-sample --trace '^main\.(guard|risky)$' "# + binary.path + #" panic 300; heatmap table"#)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(row(r.stdout, "main.guard").first, "300", r.stdout)
    XCTAssertEqual(row(r.stdout, "main.risky").first, "200", r.stdout)
    XCTAssertTrue(r.stderr.contains("100 traced calls never returned"), r.stderr)
  }

  func testSingleSteppedGoEntriesAreNamedInTheNotes() throws {
    let binary = try buildGoTrace()
    let r = try perfsh(
      #"run --no-sample --trace '^runtime\.memmove$' --trace '^main\.deep$' "# + binary.path + #" deep; info"#)
    XCTAssertEqual(r.status, 0, r.stderr)
    // main.deep's entry is the emulated stack-check branch; memmove (assembly) starts with movs.
    XCTAssertTrue(r.stdout.contains("probe main.deep at +4 on 'jbe"), r.stdout)
    let memmoveSingleStepped = r.stdout.contains("probe runtime.memmove at +0 on 'mov")
    let note = r.stdout.split(separator: "\n").first { $0.contains("entry probe single-stepped") }
    XCTAssertEqual(note?.contains("runtime.memmove") ?? false, memmoveSingleStepped, r.stdout)
    XCTAssertFalse(note?.contains("main.deep") ?? false, r.stdout)
  }
}

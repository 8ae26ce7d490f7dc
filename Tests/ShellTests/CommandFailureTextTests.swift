import XCTest

@testable import Shell

/// The commands' failures carry facts (`CommandFailure`) and build their text in one place;
/// each text is the one its call site wrote as a free string before (`ShellError.failed`).
final class CommandFailureTextTests: XCTestCase {
  private func text(_ f: CommandFailure) -> String { ShellError.command(f).description }

  func testOptionMessages() {
    XCTAssertEqual(
      text(.optionsDoNotApply(command: "export", options: "--max-events", scope: "chrome only")),
      "export: --max-events applies to chrome only")
    XCTAssertEqual(
      text(.optionsDoNotApply(command: "export", options: "--diff, --heatmap and --sort", scope: "svg")),
      "export: --diff, --heatmap and --sort apply to svg")
    XCTAssertEqual(
      text(.exclusiveOptions(command: "export svg", first: "--diff", second: "--heatmap", wording: .doNotGoTogether)),
      "export svg: --diff and --heatmap do not go together")
    XCTAssertEqual(
      text(.exclusiveOptions(command: "flame", first: "--clock", second: "--sample-index", wording: .notBoth)),
      "flame: give --clock or --sample-index, not both")
    XCTAssertEqual(
      text(.optionOutOfRange(command: "flame", option: "--depth", expected: "at least 1", value: nil)),
      "flame: --depth must be at least 1")
    XCTAssertEqual(
      text(.optionOutOfRange(command: nil, option: "--port", expected: "0…65535", value: 70000)),
      "--port must be 0…65535, not 70000")
    XCTAssertEqual(
      text(.badDuration(option: "--timeout", text: "soon")),
      "--timeout: 'soon' is not a duration (use e.g. 30s, 500ms, 2m)")
    XCTAssertEqual(text(.noCommand(command: "run")), "run: name a command to run")
    XCTAssertEqual(
      text(.onlyForURLs(command: "load", options: "--timeout and --save")),
      "load: --timeout and --save are for http:// URLs")
  }

  func testSessionAndFileMessages() {
    XCTAssertEqual(
      text(.nothingToWrite(file: "x.json", session: 2, reason: "has no single calls to write: it was not traced")),
      "x.json: session [2] has no single calls to write: it was not traced")
    XCTAssertEqual(
      text(
        .sessionLacks(
          command: "leaks", session: 3, what: "has no allocation data; record it with 'run --alloc CMD'")),
      "leaks: session [3] has no allocation data; record it with 'run --alloc CMD'")
    XCTAssertEqual(
      text(.nothingToProbe(session: 4)), "trace-top: no function of session [4] lies in a file that can be probed")
    XCTAssertEqual(
      text(.needsExactCalls(command: "top", flag: "--clock wall", session: 1)),
      "top --clock wall needs exact calls: session [1] was sampled; trace functions with 'run --trace PATTERN CMD'")
    XCTAssertEqual(
      text(.missingSampleType(session: 5, type: "wall", available: ["samples", "cpu"])),
      "session [5] has no wall values (it has samples, cpu; run --off-cpu records wall and offcpu)")
    XCTAssertEqual(
      text(.offCPUClockOfTracedSession(command: "heatmap")),
      "heatmap: --clock offcpu needs a sampled run --off-cpu session; traced times have cpu and wall clocks")
    XCTAssertEqual(text(.writeFailed(file: "out.pb", reason: "disk full")), "out.pb: disk full")
    XCTAssertEqual(
      text(.endpoint(url: "http://127.0.0.1:6060/debug/pprof/heap", problem: "no response")),
      "http://127.0.0.1:6060/debug/pprof/heap: no response")
  }

  func testTraceAttachServeAndSourceMessages() {
    XCTAssertEqual(
      text(.untraceableFunction(name: "runtime.duffcopy", reason: "a Duff's device")),
      "run: runtime.duffcopy is a Duff's device; leave it out of --trace")
    XCTAssertTrue(text(.goTooOldToTrace(path: "/bin/old")).hasPrefix("run: /bin/old was built with Go older than 1.17"))
    XCTAssertEqual(
      text(.traceNotConfirmed(estimate: "trace-top: tracing is estimated to make app 3× slower")),
      "trace-top: tracing is estimated to make app 3× slower; add --yes (or 'set traceconfirm off') to trace anyway")
    XCTAssertEqual(text(.traceDeclined), "trace-top: not traced")
    XCTAssertEqual(text(.traceSetup(command: "attach", reason: "no match")), "attach: no match")
    XCTAssertEqual(text(.attachRefused(reason: "no process 42")), "attach: no process 42")
    XCTAssertEqual(
      text(.unreadableExecutable(pid: 42)), "attach: cannot read /proc/42/exe to find the functions to trace")
    XCTAssertEqual(
      text(.allocationRecorderMissing(path: "/x/lib.so", library: "lib.so", configured: true)),
      "run --alloc: PERFSH_ALLOC_LIBRARY names /x/lib.so, which is not a readable file")
    XCTAssertEqual(
      text(.allocationRecorderMissing(path: "/bin/lib.so", library: "lib.so", configured: false)),
      "run --alloc: the allocation recorder lib.so is not next to perfsh (/bin/lib.so); "
        + "build it with 'swift build' or set PERFSH_ALLOC_LIBRARY")
    XCTAssertEqual(text(.serverNotRunning), "serve stop: no server is running")
    XCTAssertEqual(
      text(.alreadyServing(url: "http://127.0.0.1:1/t/")), "already serving at http://127.0.0.1:1/t/ (serve stop first)"
    )
    XCTAssertEqual(text(.serverFailed(reason: "port in use")), "serve: port in use")
    XCTAssertEqual(text(.benchMerge(reason: "different commands")), "bench: different commands")
    XCTAssertEqual(
      text(.sourceTooDeep(maximum: 64, chain: ["a.perfsh", "b.perfsh", "a.perfsh"], cycle: true)),
      "source nested more than 64 levels deep; a file sources itself: a.perfsh -> b.perfsh -> a.perfsh")
    XCTAssertEqual(
      text(.sourceTooDeep(maximum: 64, chain: ["c", "d"], cycle: false)),
      "source nested more than 64 levels deep: … -> c -> d")
  }
}

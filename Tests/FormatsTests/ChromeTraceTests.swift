import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// Chrome trace-event JSON: loading (nesting, self time, statistics), writing, the round trip,
/// and bad input (malformed JSON, unbalanced B/E, negative durations, size).
final class ChromeTraceTests: XCTestCase {
  private func load(_ text: String) throws(FormatError) -> Profile {
    try ProfileLoader.load(bytes: Array(text.utf8), name: "t.json")
  }

  private func stats(_ p: Profile) -> [String: CallStatistics] {
    var out: [String: CallStatistics] = [:]
    for (id, s) in p.callStatistics { out[p.name(of: id)] = s }
    return out
  }

  private func loadError(_ text: String) -> FormatError? {
    do {
      _ = try load(text)
      XCTFail("loaded without error: \(text.prefix(80))")
      return nil
    } catch {
      return error
    }
  }

  func testCompleteAndBeginEndEventsNestPerThreadIntoSelfTime() throws {
    let p = try load(
      """
      {"traceEvents":[
      {"name":"thread_name","ph":"M","pid":1,"tid":7,"args":{"name":"main"}},
      {"name":"outer","ph":"X","pid":1,"tid":7,"ts":0,"dur":100},
      {"name":"inner","ph":"X","pid":1,"tid":7,"ts":10,"dur":30.5},
      {"name":"inner","ph":"B","pid":1,"tid":7,"ts":50},
      {"name":"leaf","ph":"X","pid":1,"tid":7,"ts":52,"dur":1.25},
      {"ph":"E","pid":1,"tid":7,"ts":60},
      {"name":"inner","ph":"X","pid":1,"tid":8,"ts":20,"dur":500},
      {"name":"mark","ph":"i","pid":1,"tid":7,"ts":60}
      ],"displayTimeUnit":"ms"}
      """)
    let s = stats(p)
    // outer: 100 µs minus inner (30.5) and inner (10) = 59.5 µs of self.
    let outer = CallTimes(selfNanos: 59_500, totalNanos: 100_000, maxSelfNanos: 59_500, p95SelfNanos: 59_500)
    XCTAssertEqual(
      s["outer"],
      CallStatistics(
        calls: 1, selfNanos: 59_500, totalNanos: 100_000, maxSelfNanos: 59_500, p95SelfNanos: 59_500, clock: .wall,
        wall: outer))
    // inner: 30.5 + (10 − 1.25) + 500 (another thread: not nested in outer).
    XCTAssertEqual(s["inner"]?.calls, 3)
    XCTAssertEqual(s["inner"]?.selfNanos, 30_500 + 8_750 + 500_000)
    XCTAssertEqual(s["inner"]?.totalNanos, 30_500 + 10_000 + 500_000)
    XCTAssertEqual(s["inner"]?.maxSelfNanos, 500_000)
    XCTAssertEqual(s["inner"]?.p95SelfNanos, 500_000)
    XCTAssertEqual(s["leaf"]?.selfNanos, 1_250)
    XCTAssertEqual(p.run.elapsedNanos, 520_000)
    // Samples per nesting path carry the same self times; the total is all covered time.
    XCTAssertEqual(p.total(column: 1), 100_000 + 500_000)
    XCTAssertEqual(p.total(column: 0), 5)
    XCTAssertEqual(p.callEvents?.events.count, 5)
    XCTAssertTrue(p.run.notes.contains { $0.contains("1 'i'") }, "\(p.run.notes)")
    XCTAssertTrue(p.run.notes.contains("loaded from t.json (Chrome trace JSON)"), "\(p.run.notes)")
  }

  func testBareArrayWithAndWithoutClosingBracket() throws {
    let events =
      #"[{"name":"a","ph":"X","ts":1,"dur":2,"pid":1,"tid":1},{"name":"b","ph":"X","ts":5,"dur":1,"pid":1,"tid":1}"#
    for text in [events + "]", events, events + ",\n", events + "\n]\n"] {
      let p = try load(text)
      XCTAssertEqual(stats(p)["a"]?.selfNanos, 2_000, text)
      XCTAssertEqual(stats(p)["b"]?.calls, 1, text)
      XCTAssertEqual(p.run.notes.contains { $0.contains("no closing ']'") }, !text.contains("]"), text)
    }
  }

  func testFoldedStacksStartingWithABracketAreNotJSON() throws {
    let p = try ProfileLoader.load(bytes: Array("[unknown];main 3\n".utf8), name: "f")
    XCTAssertEqual(p.total(column: 0), 3)
  }

  func testTimesAreExactDecimalMicroseconds() throws {
    let p = try load(
      #"[{"name":"a","ph":"X","ts":1.0005,"dur":0.0015},{"name":"b","ph":"X","ts":1e3,"dur":2.5E-2},{"name":"c","ph":"X","tid":2,"ts":7,"dur":123456789.123}]"#
    )
    let s = stats(p)
    XCTAssertEqual(s["a"]?.selfNanos, 2)  // 1.5 ns rounds half away from zero
    XCTAssertEqual(s["b"]?.selfNanos, 25)
    XCTAssertEqual(s["c"]?.selfNanos, 123_456_789_123)
  }

  func testUnbalancedAndNegativeEventsAreCountedWarnings() throws {
    let result = try withRawBytes(
      Array(
        """
        [{"name":"ok","ph":"X","ts":0,"dur":10},
         {"name":"neg","ph":"X","ts":0,"dur":-5},
         {"name":"lonely","ph":"E","ts":3},
         {"name":"never","ph":"B","ts":4},
         {"name":"back","ph":"B","ts":20},{"name":"back","ph":"E","ts":15},
         {"name":"a","ph":"B","ts":30},{"name":"b","ph":"E","ts":31},
         {"name":"late","ph":"X","ts":5,"dur":10},
         {"name":"nots","ph":"X","dur":1}]
        """.utf8)
    ) { (raw) throws(FormatError) in try ChromeTraceReader.read(raw) }
    XCTAssertEqual(
      result.warnings,
      [
        "left out 2 events with a negative duration",
        "left out 1 end (E) event with no begin (B) on their thread",
        "left out 1 begin (B) event never ended",
        "closed 1 begin (B) event with an end (E) of another name",
        "cut 1 event at the end of the event enclosing them (they overlapped it without nesting)",
        "left out 1 event without ts or dur",
      ])
    let s = stats(result.profile)
    XCTAssertEqual(s["ok"]?.selfNanos, 5_000)  // "late" is cut at ok's end (5 µs of it nested)
    XCTAssertEqual(s["late"]?.totalNanos, 5_000)
    XCTAssertEqual(s["a"]?.calls, 1)
    XCTAssertNil(s["neg"])
    XCTAssertEqual(result.profile.run.notes.filter { $0.hasPrefix("warning: ") }.count, 6)
  }

  func testMalformedJSONIsAnErrorWithLineAndColumn() {
    let cases: [(String, Int, Int, String)] = [
      ("{\"traceEvents\":[\n{\"name\":\"a\",}\n]}", 2, 13, "expected a string key"),
      ("{\"traceEvents\":[{\"ts\":01}]}", 1, 23, "number with a leading zero"),
      ("{\"traceEvents\":[{\"name\":\"a\nb\"}]}", 1, 27, "control character in a string"),
      ("{\"traceEvents\":[{\"name\":\"a\"}]", 1, 30, "unexpected end of input inside an object"),
      ("{\"traceEvents\":[{\"args\":{\"x\":tru}}]}", 1, 30, "unexpected character"),
      ("{\"traceEvents\":[]} x", 1, 20, "unexpected text after the trace"),
      ("{\"traceEvents\":[{\"name\":\"\\q\"}]}", 1, 26, "bad escape '\\q'"),
      ("[{\"name\":\"a\",\"ph\":\"X\",\"ts\":1,\"dur\":1},]", 1, 39, "trailing ',' before ']'"),
    ]
    for (text, line, column, reason) in cases {
      XCTAssertEqual(loadError(text), .corruptJSON(line: line, column: column, reason: reason), text)
    }
    XCTAssertEqual(loadError("{\"other\":1}"), .invalidChromeTrace(reason: "the object has no traceEvents array"))
    XCTAssertEqual(
      loadError("[{\"name\":\"a\",\"ph\":\"i\",\"ts\":1}]"),
      .invalidChromeTrace(reason: "no complete (ph \"X\") or begin/end (ph \"B\"/\"E\") events with times"))
  }

  func testNestingDepthIsBounded() {
    let deep =
      "{\"traceEvents\":[{\"args\":{\"x\":" + String(repeating: "[", count: 10_000)
      + String(repeating: "]", count: 10_000) + "}}]}"
    guard case .corruptJSON(_, _, let reason)? = loadError(deep) else { return XCTFail("deep nesting loaded") }
    XCTAssertEqual(reason, "nesting deeper than \(ChromeTraceReader.maxJSONDepth) levels")
  }

  func testMemoryBudgetStopsTheLoad() {
    let text =
      "[" + (0..<1000).map { "{\"name\":\"a\",\"ph\":\"X\",\"ts\":\($0),\"dur\":1}" }.joined(separator: ",") + "]"
    XCTAssertThrowsError(try ProfileLoader.load(bytes: Array(text.utf8), name: "t", memoryBudget: 10_000)) { error in
      XCTAssertEqual(error as? FormatError, .needsTooMuchMemory(limit: 10_000))
    }
  }

  /// A timeline of calls on two threads with known nesting, as `run --trace` keeps them.
  static func tracedProfile() -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "calls", unit: "count"), ValueType(type: "self", unit: "nanoseconds"),
    ])
    let parse = b.function("parse")
    let scan = b.function("scan \"quoted\"\n")
    let t0: Int64 = 5_000_000_000
    let events = [
      CallEvent(function: scan, thread: 11, process: 10, startNanos: t0 + 100, wallNanos: 300, cpuNanos: 250),
      CallEvent(function: scan, thread: 11, process: 10, startNanos: t0 + 500, wallNanos: 1_001, cpuNanos: 900),
      CallEvent(function: parse, thread: 11, process: 10, startNanos: t0, wallNanos: 2_000, cpuNanos: 1_800),
      CallEvent(function: scan, thread: 12, process: 10, startNanos: t0 + 50, wallNanos: 7, cpuNanos: nil),
    ]
    var profile = b.build()
    profile.callEvents = CallEventLog(events: events)
    // Carrier samples and statistics through the one writer, as a traced run does.
    profile.setCallStatistics([
      parse: CallStatistics(calls: 1, selfNanos: 1, totalNanos: 1, maxSelfNanos: 1, p95SelfNanos: 1)
    ])
    return profile
  }

  func testRoundTripKeepsCountsAndDurations() throws {
    let written = try XCTUnwrap(ChromeTraceWriter.write(Self.tracedProfile(), maxEvents: 100, processName: "app"))
    XCTAssertEqual(written.summary, ChromeTraceWriter.Summary(written: 4, omitted: 0, notKept: 0))
    // Foundation's parser agrees that it is JSON with the fields Perfetto needs.
    let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(written.text.utf8)) as? [String: Any])
    let events = try XCTUnwrap(object["traceEvents"] as? [[String: Any]])
    let complete = events.filter { $0["ph"] as? String == "X" }
    XCTAssertEqual(complete.count, 4)
    for e in complete {
      for key in ["name", "pid", "tid", "ts", "dur"] { XCTAssertNotNil(e[key], "\(key) missing in \(e)") }
    }
    XCTAssertEqual(events.filter { $0["ph"] as? String == "M" && $0["name"] as? String == "thread_name" }.count, 2)

    let back = try load(written.text)
    let s = stats(back)
    XCTAssertEqual(s["parse"]?.calls, 1)
    XCTAssertEqual(
      s["parse"]?.times,
      CallTimes(selfNanos: 2_000 - 300 - 1_001, totalNanos: 2_000, maxSelfNanos: 699, p95SelfNanos: 699))
    XCTAssertEqual(s["parse"]?.wall, s["parse"]?.times)
    XCTAssertEqual(s["parse"]?.clock, .wall)
    XCTAssertEqual(s["scan \"quoted\"\n"]?.calls, 3)
    XCTAssertEqual(s["scan \"quoted\"\n"]?.selfNanos, 300 + 1_001 + 7)
    XCTAssertEqual(s["scan \"quoted\"\n"]?.maxSelfNanos, 1_001)
    // The loaded events write the same trace again (times relative to the first call).
    let again = try XCTUnwrap(ChromeTraceWriter.write(back, maxEvents: 100, processName: "app"))
    XCTAssertEqual(again.text, written.text)
  }

  func testSessionFilesKeepTheCalls() throws {
    var profile = Self.tracedProfile()
    var log = try XCTUnwrap(profile.callEvents)
    log.append(CallEvent(function: FunctionID(0), thread: -3, process: 0, startNanos: -40, wallNanos: 0, cpuNanos: 0))
    profile.callEvents = CallEventLog(events: log.events, dropped: 17, capacity: 9)
    let session = ArchivedSession(name: "t", source: .run(command: ["./app"]), profile: profile)
    let back = try SessionArchive.decode(SessionArchive.encode([session]))
    XCTAssertEqual(back.first?.profile.callEvents, profile.callEvents)
    XCTAssertEqual(back.first?.profile.callEvents?.dropped, 17)
    let without = try SessionArchive.decode(
      SessionArchive.encode([ArchivedSession(name: "s", source: .run(command: ["x"]), profile: FixtureProfiles.rich())])
    )
    XCTAssertNil(without.first?.profile.callEvents)
  }

  func testMaxEventsKeepsTheEarliestCalls() throws {
    let written = try XCTUnwrap(ChromeTraceWriter.write(Self.tracedProfile(), maxEvents: 2, processName: "app"))
    XCTAssertEqual(written.summary, ChromeTraceWriter.Summary(written: 2, omitted: 2, notKept: 0))
    let back = try load(written.text)
    XCTAssertEqual(Set(stats(back).keys), ["parse", "scan \"quoted\"\n"])
    XCTAssertEqual(back.callStatistics.values.reduce(0) { $0 + $1.calls }, 2)
    XCTAssertNil(ChromeTraceWriter.write(FixtureProfiles.rich(), maxEvents: 2, processName: "app"))
  }

  func testChromeTraceGolden() throws {
    let written = try XCTUnwrap(ChromeTraceWriter.write(Self.tracedProfile(), maxEvents: 100, processName: "app"))
    assertSnapshot(written.text, named: "chrome-trace")
  }

  /// The JSON `clang -ftime-trace` writes for a small C++ file, with the toolchain's clang.
  func testClangTimeTraceLoadsAndFrontendCoversMostOfTheCompile() throws {
    guard
      let clang = ["/opt/swift/usr/bin/clang++", "/usr/bin/clang++"].first(where: FileManager.default.isExecutableFile)
    else {
      throw XCTSkip("no clang++")
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-clang-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let source = dir.appendingPathComponent("unit.cpp")
    try """
    #include <map>
    #include <string>
    #include <vector>
    template <int N> struct Fib { static constexpr long v = Fib<N - 1>::v + Fib<N - 2>::v; };
    template <> struct Fib<0> { static constexpr long v = 0; };
    template <> struct Fib<1> { static constexpr long v = 1; };
    int main() { std::map<std::string, std::vector<int>> m; m["a"].push_back(Fib<30>::v); return (int)m.size(); }
    """.write(to: source, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: clang)
    process.arguments = ["-ftime-trace", "-c", source.path, "-o", dir.appendingPathComponent("unit.o").path]
    process.currentDirectoryURL = dir
    try process.run()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0)
    let trace = dir.appendingPathComponent("unit.json")
    let p = try ProfileLoader.load(path: trace.path)
    let s = stats(p)
    let compile = try XCTUnwrap(s["ExecuteCompiler"], "\(s.keys.sorted())")
    let frontend = try XCTUnwrap(s["Frontend"])
    XCTAssertEqual(compile.calls, 1)
    XCTAssertGreaterThan(
      frontend.totalNanos * 2, compile.totalNanos, "Frontend \(frontend.totalNanos) of \(compile.totalNanos)")
    XCTAssertLessThanOrEqual(frontend.totalNanos, compile.totalNanos)
    // clang's per-name totals are left out, so self times add up to the compile (one thread).
    XCTAssertFalse(s.keys.contains { $0.hasPrefix("Total ") }, "\(s.keys.sorted())")
    XCTAssertEqual(s.values.reduce(0) { $0 + $1.selfNanos }, compile.totalNanos)
    XCTAssertGreaterThan(s["ParseClass"]?.calls ?? 0, 1)
  }

  /// A 200 MB trace, generated into a temporary directory: loads with exact numbers and is
  /// deleted again. Prints the load time (not asserted).
  func testTwoHundredMegabyteTraceLoads() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-chrome-big-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("big.json")
    // Each group: an outer call of 100 µs holding 9 inner calls of 10 µs (each with args).
    var group = ""
    var bytes: [UInt8] = []
    bytes.reserveCapacity(210 << 20)
    bytes += Array("{\"traceEvents\":[\n".utf8)
    var groups = 0
    var ts: Int64 = 0
    while bytes.count < 200 << 20 {
      group =
        "{\"name\":\"outer\",\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":\(ts),\"dur\":100,\"args\":{\"detail\":\"group \(groups)\"}},\n"
      for k in 0..<9 {
        group +=
          "{\"name\":\"inner\",\"cat\":\"work\",\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":\(ts + 1 + Int64(k) * 11),\"dur\":10,\"args\":{\"i\":\(k)}},\n"
      }
      bytes += Array(group.utf8)
      ts += 200
      groups += 1
    }
    bytes += Array("{\"name\":\"end\",\"ph\":\"i\",\"ts\":0}]}\n".utf8)
    try Data(bytes).write(to: file)
    let size = bytes.count
    bytes = []
    let start = Date()
    let p = try ProfileLoader.load(path: file.path)
    let seconds = Date().timeIntervalSince(start)
    print("loaded a \(size >> 20) MB Chrome trace (\(groups * 10) events) in \(String(format: "%.2f", seconds)) s")
    let s = stats(p)
    XCTAssertEqual(s["outer"]?.calls, Int64(groups))
    XCTAssertEqual(s["inner"]?.calls, Int64(groups) * 9)
    XCTAssertEqual(s["outer"]?.selfNanos, Int64(groups) * 10_000)
    XCTAssertEqual(s["inner"]?.p95SelfNanos, 10_000)
    XCTAssertEqual(p.callEvents?.events.count, min(groups * 10, CallEventLog.defaultCapacity))
  }
}

import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// The assert language: every required form, each metric kind, failures with message and
/// exit status, malformed expressions with their column.
final class AssertTests: XCTestCase {
  static let types = [ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds")]

  /// A sampled run: parse_doc 60ms self (calls scan 20ms), other 20ms; elapsed and cpu given.
  static func sampled(parseMillis: Int64 = 60, elapsedMillis: Int64 = 400, cpuMillis: Int64 = 100) -> Profile {
    var b = ProfileBuilder(sampleTypes: types)
    b.addSample(rootFirstNames: ["main", "parse_doc"], values: [parseMillis, parseMillis * 1_000_000])
    b.addSample(rootFirstNames: ["main", "parse_doc", "scan"], values: [20, 20_000_000])
    b.addSample(rootFirstNames: ["main", "other"], values: [20, 20_000_000])
    b.withProfile {
      $0.run.command = ["./app"]
      $0.run.elapsedNanos = elapsedMillis * 1_000_000
      $0.run.cpuNanos = cpuMillis * 1_000_000
      $0.run.termination = .exited(0)
    }
    return b.build()
  }

  /// A traced run: scan_token called 40,000 times, p95 15µs.
  static func traced() -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "calls", unit: "count"), ValueType(type: "self", unit: "nanoseconds"),
    ])
    let f = b.function("scan_token")
    let g = b.function("parse")
    b.addSample(leafFirst: [b.location(function: f)], values: [40_000, 400_000_000])
    b.addSample(leafFirst: [b.location(function: g)], values: [10, 100_000_000])
    b.withProfile {
      $0.callStatistics = [
        f: CallStatistics(
          calls: 40_000, selfNanos: 400_000_000, totalNanos: 400_000_000, maxSelfNanos: 90_000, p95SelfNanos: 15_000),
        g: CallStatistics(
          calls: 10, selfNanos: 100_000_000, totalNanos: 500_000_000, maxSelfNanos: 12_000_000, p95SelfNanos: 11_000_000
        ),
      ]
      $0.run.elapsedNanos = 600_000_000
      $0.run.cpuNanos = 550_000_000
      $0.run.command = ["./app"]
    }
    return b.build()
  }

  /// A run -n style profile whose repeats carry `parse_doc` self times (ms) and elapsed (ms).
  static func repeated(parse: [Int64], elapsed: [Int64]) -> Profile {
    var p = sampled(parseMillis: parse.reduce(0, +) / Int64(parse.count))
    p.repeats = zip(parse, elapsed).map { ms, e in
      RunRepeat(
        elapsedNanos: e * 1_000_000, cpuNanos: 100_000_000,
        selfNanos: ["parse_doc": ms * 1_000_000, "scan": 20_000_000, "other": 20_000_000])
    }
    p.run.elapsedNanos = elapsed.reduce(0, +) / Int64(elapsed.count) * 1_000_000
    return p
  }

  private func shell(_ profiles: Profile...) -> CapturedShell {
    let shell = CapturedShell()
    for (i, p) in profiles.enumerated() {
      shell.context.sessions.add(profile: p, name: "s\(i + 1)", source: .run(command: ["./app"]))
    }
    return shell
  }

  private func assertPasses(
    _ line: String, in shell: CapturedShell, file: StaticString = #filePath, line l: UInt = #line
  ) {
    let outcome = shell.runScript("assert " + line + "\n")
    XCTAssertEqual(outcome.exitStatus, 0, "\(line): \(shell.stderr)", file: file, line: l)
  }

  private func assertFails(
    _ line: String, in shell: CapturedShell, file: StaticString = #filePath, line l: UInt = #line
  ) {
    let before = shell.stderr.count
    let outcome = shell.runScript("assert " + line + "\n")
    XCTAssertEqual(outcome.exitStatus, 1, line, file: file, line: l)
    XCTAssertTrue(shell.stderr.dropFirst(before).contains("assertion failed"), shell.stderr, file: file, line: l)
  }

  // MARK: The required forms

  func testEveryRequiredFormParses() throws {
    let forms = [
      "elapsed < 500ms", "elapsed(@prev) < elapsed(@last)", "cpu(@last) <= 1.2s", "self(\"^parse\") < 25%",
      "self(^parse) < 25%", "calls(\"scan_token\") == 40000", "p95(\"scan_token\") < 20us",
      "compare(@prev, @last).elapsed < +5%", "compare(@prev,@last).self(\"parse\") < +10% significant",
      "parallelism >= 1.5x", "cum(main, @2) > 90%", "avg(scan_token) < 1ms", "max(scan_token) != 0ns",
    ]
    for form in forms {
      XCTAssertNoThrow(try AssertParser.parse(form), form)
    }
    let e = try AssertParser.parse("compare(@prev, @last).self(\"^parse\") < +10% significant")
    XCTAssertTrue(e.requiresSignificance)
    guard case .metric(let m) = e.lhs else { return XCTFail("not a metric") }
    XCTAssertEqual(m.kind, .self)
    XCTAssertEqual(m.pattern, "^parse")
    XCTAssertEqual(m.compared?.0, "prev")
    XCTAssertEqual(m.compared?.1, "last")
    guard case .literal(let limit) = e.rhs else { return XCTFail("not a literal") }
    XCTAssertEqual(limit.value, 10)
    XCTAssertEqual(limit.unit, .percent)
    guard case .literal(let us) = try AssertParser.parse("p95(x) < 20us").rhs else { return XCTFail("not a literal") }
    XCTAssertEqual(us.value, 20_000)
  }

  func testRequiredFormsEvaluateAgainstSessions() {
    let s = shell(Self.sampled(elapsedMillis: 400), Self.sampled(elapsedMillis: 450, cpuMillis: 110))
    assertPasses("elapsed < 500ms", in: s)
    assertPasses("elapsed(@prev) < elapsed(@last)", in: s)
    assertPasses("cpu(@last) <= 1.2s", in: s)
    // parse_doc self is 60 of 100ms: 60%.
    assertPasses("self(\"^parse\") < 61%", in: s)
    assertFails("self(\"^parse\") < 59%", in: s)
    assertPasses("compare(@prev, @last).elapsed < +13%", in: s)
    assertFails("compare(@prev, @last).elapsed < +12%", in: s)
    let t = shell(Self.traced())
    assertPasses("calls(\"scan_token\") == 40000", in: t)
    assertPasses("p95(\"scan_token\") < 20us", in: t)
    assertFails("p95(\"scan_token\") < 10us", in: t)
  }

  // MARK: Each metric kind

  func testSessionMetrics() {
    let s = shell(Self.sampled())
    assertPasses("parallelism < 0.3x", in: s)
    assertPasses("parallelism > 0.2", in: s)
    assertPasses("samples == 100", in: s)
    assertPasses("cpu == 100ms", in: s)
    assertFails("elapsed > 1s", in: s)
    assertPasses("500ms > elapsed", in: s)
  }

  func testSelfAndCumAsTimeAndShare() {
    let s = shell(Self.sampled())
    assertPasses("self(parse_doc) == 60ms", in: s)
    assertPasses("cum(parse_doc) == 80ms", in: s)
    assertPasses("cum(parse_doc) == 80%", in: s)
    assertPasses("cum(main) == 100%", in: s)
    assertPasses("self(\"scan|other\") == 40ms", in: s)
    assertPasses("self(scan) < self(parse_doc)", in: s)
  }

  func testTracedMetrics() {
    let s = shell(Self.traced())
    assertPasses("calls(scan_token) > 39999", in: s)
    assertPasses("avg(scan_token) == 10us", in: s)
    assertPasses("max(scan_token) == 90us", in: s)
    assertPasses("max(parse) > p95(parse)", in: s)
    assertFails("avg(parse) < 1ms", in: s)
  }

  func testWallIsTheMeanWallTimePerCall() {
    var p = Self.traced()
    let f = FunctionID(0)
    p.callStatistics[f]?.wall = CallTimes(
      selfNanos: 800_000_000, totalNanos: 800_000_000, maxSelfNanos: 1, p95SelfNanos: 1)
    p.callStatistics[FunctionID(1)]?.wall = CallTimes(
      selfNanos: 100_000_000, totalNanos: 1, maxSelfNanos: 1, p95SelfNanos: 1)
    let s = shell(p)
    assertPasses("wall(scan_token) == 20us", in: s)
    assertPasses("wall(scan_token) > avg(scan_token)", in: s)
    assertFails("wall(scan_token) < 15us", in: s)
    // Without wall-clock numbers (a session traced before they existed) it says so.
    let old = shell(Self.traced())
    XCTAssertEqual(old.runScript("assert wall(scan_token) > 1us\n").exitStatus, 1)
    XCTAssertTrue(old.stderr.contains("no wall-clock times"), old.stderr)
  }

  func testSignificantNeedsTheIntervalBeyondTheNoiseFloor() {
    let base: [Int64] = [200, 201, 199, 200, 202, 200, 201, 199, 200, 201]
    let elapsed = [Int64](repeating: 400, count: 10)
    let a = Self.repeated(parse: base, elapsed: elapsed)
    // +0.5%: every B run above every A run of the same rank, so the test rejects, but the
    // whole interval is inside ±1%, so a gate does not fail on it.
    let small = shell(a, Self.repeated(parse: base.reversed().map { $0 + 1 }, elapsed: elapsed))
    assertFails("compare(@prev, @last).self(parse_doc) < 0%", in: small)
    assertPasses("compare(@prev, @last).self(parse_doc) < 0% significant", in: small)
    XCTAssertTrue(
      small.stdout.contains("not significant: the 95% interval reaches into the ±1% noise floor"), small.stdout)
    XCTAssertTrue(small.stdout.contains("+0.5% (200.3ms → 201.3ms, p="), small.stdout)
    // +3%: the interval clears the floor; the gate fails.
    let large = shell(a, Self.repeated(parse: base.map { $0 + 6 }, elapsed: elapsed))
    assertFails("compare(@prev, @last).self(parse_doc) < +2% significant", in: large)
    XCTAssertTrue(large.stderr.contains("+3.0% (200.3ms → 206.3ms, p<0.001, 95% CI +"), large.stderr)
  }

  func testChangesWithAndWithoutSignificance() {
    // Five runs each; parse_doc clearly slower (+50%), elapsed only noise.
    let a = Self.repeated(parse: [60, 61, 59, 60, 62], elapsed: [400, 402, 398, 401, 399])
    let b = Self.repeated(parse: [90, 91, 89, 92, 90], elapsed: [401, 399, 403, 398, 402])
    let s = shell(a, b)
    assertFails("compare(@prev, @last).self(parse_doc) < +10% significant", in: s)
    assertPasses("compare(@prev, @last).self(parse_doc) > +40%", in: s)
    // +0.1% elapsed is within noise: above the 0% limit but not significant, so it passes.
    assertFails("compare(@prev, @last).elapsed < 0%", in: s)
    assertPasses("compare(@prev, @last).elapsed < 0% significant", in: s)
    assertPasses("compare(s1, s2).cpu == 0%", in: s)
    assertPasses("compare(@prev, @last).self(parse_doc) > -5%", in: s)
    assertFails("compare(@last, @prev).self(parse_doc) > -5%", in: s)
  }

  // MARK: Failures and errors

  func testFailingAssertPrintsExpressionValueLimitAndStopsTheScript() {
    let s = shell(Self.sampled(elapsedMillis: 612))
    let outcome = s.runScript("echo before\nassert elapsed < 500ms\necho after\n", file: "gate.perfsh")
    XCTAssertEqual(outcome.exitStatus, 1)
    XCTAssertEqual(s.stderr, "gate.perfsh:2: assertion failed: elapsed < 500ms: measured 612ms, limit 500ms\n")
    XCTAssertFalse(s.stdout.contains("after"))
  }

  func testMalformedExpressionsNameTheColumn() {
    let cases: [(String, Int, String)] = [
      ("elapsed 500ms", 9, "expected a comparison"),
      ("elapsed < ", 11, "expected a metric"),
      ("elapsed = 5ms", 9, "'=' is not a comparison"),
      ("elapsed < 5parsecs", 12, "unknown unit 'parsecs'"),
      ("self < 5%", 6, "expected '(' and a function name after self"),
      ("self(parse < 5%", 16, "missing ')'"),
      ("compare(@prev).elapsed < +5%", 14, "expected ','"),
      ("compare(@prev, @last) < +5%", 23, "expected '.'"),
      ("compare(@prev, @last).elapsed(@3) < +5%", 30, "takes no session of its own"),
      ("wallclock < 5s", 1, "expected a metric"),
      ("elapsed < 5s significant", 14, "'significant' applies to a change"),
      ("elapsed < 5s 6s", 14, "expected the end or 'significant'"),
    ]
    for (text, column, message) in cases {
      XCTAssertThrowsError(try AssertParser.parse(text), text) { error in
        guard let e = error as? AssertSyntaxError else { return XCTFail("\(error)") }
        XCTAssertEqual(e.column, column, "\(text): \(e.message)")
        XCTAssertTrue(e.message.contains(message), "\(text): \(e.message)")
      }
    }
    let s = shell(Self.sampled())
    let outcome = s.runScript("assert elapsed 500ms\n", file: "gate.perfsh")
    XCTAssertEqual(outcome.exitStatus, 1)
    XCTAssertEqual(
      s.stderr,
      "gate.perfsh:1: assert: expected a comparison (<, <=, >, >=, ==, !=), found '500ms' at column 9\n  elapsed 500ms\n          ^\n"
    )
  }

  func testSampledSessionsHaveNoExactCalls() {
    let s = shell(Self.sampled())
    for metric in ["calls", "avg", "max", "p95"] {
      let outcome = s.runScript("assert \(metric)(parse_doc) < 5\n")
      XCTAssertEqual(outcome.exitStatus, 1)
      XCTAssertTrue(s.stderr.hasSuffix("was sampled: capture it with run --trace PATTERN\n"), s.stderr)
    }
  }

  func testUnitMismatchesAndMissingFunctionsAreErrors() {
    let s = shell(Self.sampled(), Self.sampled())
    for (line, message) in [
      ("elapsed < 5", "give '5' a unit"),
      ("elapsed < 5%", "a duration compares with a duration"),
      ("samples < 5ms", "a count compares with a plain number"),
      ("compare(@prev, @last).cpu < 5ms", "a change compares with a percentage"),
      ("self(nothing_here) < 5%", "no function matches 'nothing_here'"),
      ("compare(@prev, @last).cpu < +5% significant", "'significant' needs repeats"),
      ("elapsed < cpu(@9)", "no session '9'"),
    ] {
      let before = s.stderr.count
      XCTAssertEqual(s.runScript("assert \(line)\n").exitStatus, 1, line)
      XCTAssertTrue(s.stderr.dropFirst(before).contains(message), "\(line): \(s.stderr.dropFirst(before))")
    }
  }
}

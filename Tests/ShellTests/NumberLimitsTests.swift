import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// Issue 20's number reproducers through the shell: files that break the value rule are load
/// errors naming the file, sessions right at the rule's limit survive every command, a
/// zero-count profile exports to something `load` takes (or a clear error), and the function
/// counts of the session line, `summary` and `info` agree.
final class NumberLimitsTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = try ProcessRunner.temporaryDirectory("numbers")
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  private func file(_ name: String, _ text: String) throws -> String {
    let url = directory.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  private func run(_ shell: CapturedShell, _ line: String, file: StaticString = #filePath, line l: UInt = #line)
    -> Int32
  {
    shell.runScript(line + "\n").exitStatus
  }

  func testFilesPastTheValueRuleAreLoadErrorsNamingTheFile() throws {
    let cases = [
      (
        "neg.folded", "a;b -9223372036854775807\na;b -1\n",
        "neg.folded: folded stacks line 1: negative count -9223372036854775807"
      ),
      (
        "sum.folded", "a;b 9223372036854775807\na;c 1\n",
        "sum.folded: folded stacks line 1: the counts add up to 2^62 or more"
      ),
      (
        "half.folded", "a;b 4611686018427387903\na;c 4611686018427387903\n",
        "half.folded: folded stacks line 2: the counts add up"
      ),
    ]
    for (name, text, message) in cases {
      let shell = CapturedShell()
      let path = try file(name, text)
      XCTAssertEqual(run(shell, "load \(path)"), 1, name)
      XCTAssertTrue(shell.stderr.contains(message), "\(name): \(shell.stderr)")
      XCTAssertEqual(shell.context.sessions.sessions.count, 0, "no half-loaded session")
    }
  }

  /// A sampled session whose columns both sum to 2^62 − 1, the largest the rule allows.
  static func atLimit() -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    b.addSample(rootFirstNames: ["main", "hot"], values: [(1 << 62) - 2, (1 << 62) - 2])
    b.addSample(rootFirstNames: ["main", "cold"], values: [1, 1])
    return b.build()
  }

  func testFoldedFileAtTheLimitLoads() throws {
    let shell = CapturedShell()
    let path = try file("limit.folded", "main;hot 4611686018427387902\nmain;cold 1\n")
    XCTAssertEqual(run(shell, "load \(path); top; tree; peek .; compare 1 1"), 0, shell.stderr)
    XCTAssertTrue(shell.stdout.contains("samples 4,611,686,018,427,387,903"), shell.stdout)
  }

  func testEveryCommandWorksOnTwoSessionsAtTheLimit() throws {
    let shell = CapturedShell()
    shell.context.sessions.add(profile: Self.atLimit(), name: "a", source: .file(path: "a.pb", format: "pprof"))
    shell.context.sessions.add(profile: Self.atLimit(), name: "b", source: .file(path: "b.pb", format: "pprof"))
    let out = directory.path
    for line in [
      "top", "tree", "peek .", "list .", "heatmap", "heatmap table", "heatmap sparkline", "summary", "compare 1 2",
      "assert samples < 1", "assert samples(@1) >= 4611686018427387903", "assert compare(1, 2).samples < +5%",
      "assert self(hot) > 99%", "export csv \(out)/h.csv", "export json \(out)/h.json",
      "export pprof \(out)/p.pb.gz", "export folded \(out)/f.folded",
      "load \(out)/p.pb.gz", "load \(out)/f.folded", "compare 3 4",
    ] {
      let status = run(shell, line)
      if line.hasPrefix("assert samples < 1") {
        XCTAssertEqual(status, 1, line)
      } else {
        XCTAssertEqual(status, 0, "\(line): \(shell.stderr)")
      }
    }
    XCTAssertTrue(
      shell.stdout.contains("[3] p.pb.gz  cpu 4611686018s  samples 4,611,686,018,427,387,903"), shell.stdout)
    XCTAssertEqual(
      try String(contentsOfFile: "\(out)/f.folded", encoding: .utf8), "main;cold 1\nmain;hot 4611686018427387902\n")
    XCTAssertTrue(
      try String(contentsOfFile: "\(out)/h.csv", encoding: .utf8).contains("hot,4611686018427387902"),
      "csv keeps the exact count")
  }

  func testRunRepeatsThatTogetherPassTheLimitAreNotMerged() throws {
    let p = Self.atLimit()
    var merger = RepeatMerger(first: p, info: try RepeatMerger.repeatInfo(of: p))
    XCTAssertThrowsError(try merger.append(p, info: try RepeatMerger.repeatInfo(of: p))) { error in
      XCTAssertEqual("\(error)", "the runs' samples/count values add up to 2^62 or more; merge fewer runs")
    }
  }

  func testRunRepeatsSaturateCallStatisticsInsteadOfTrapping() throws {
    var p = AssertTests.traced()
    for (id, var stats) in p.callStatistics {
      stats.calls = .max - 1
      stats.selfNanos = .max / 2 + 1
      p.callStatistics[id] = stats
    }
    p.run.lostRecords = .max
    var merger = RepeatMerger(first: p, info: try RepeatMerger.repeatInfo(of: p))
    try merger.append(p, info: try RepeatMerger.repeatInfo(of: p))
    let merged = merger.finish()
    XCTAssertEqual(merged.callStatistics.values.map(\.calls), [.max, .max])
    XCTAssertEqual(merged.callStatistics.values.map(\.selfNanos), [.max, .max])
    XCTAssertEqual(merged.run.lostRecords, .max)
    XCTAssertEqual(merged.run.elapsedNanos, 600_000_000, "the mean of two equal runs")
    let shell = CapturedShell()
    shell.context.sessions.add(profile: merged, name: "merged", source: .run(command: ["./app"]))
    XCTAssertEqual(run(shell, "summary; heatmap table; compare 1 1"), 0, shell.stderr)
  }

  func testHugeTimeoutsClampInsteadOfTrapping() throws {
    XCTAssertEqual(try DurationText.parse("1e300s", option: "--timeout"), .nanoseconds(Int64.max))
    XCTAssertEqual(try DurationText.parse("99999999999999999999", option: "--timeout"), .nanoseconds(Int64.max))
    XCTAssertEqual(try DurationText.parse("1.5s", option: "--timeout"), .nanoseconds(1_500_000_000))
  }

  func testZeroCountProfileExportsPprofThatLoadsAndRefusesAnEmptyFoldedFile() throws {
    let shell = CapturedShell()
    let path = try file("zero.folded", "a;b 0\n")
    XCTAssertEqual(run(shell, "load \(path)"), 0, shell.stderr)
    let folded = directory.appendingPathComponent("out.folded").path
    XCTAssertEqual(run(shell, "export folded \(folded)"), 1)
    XCTAssertTrue(shell.stderr.contains("has no stacks with a non-zero count"), shell.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: folded), "no empty file that load would refuse")
    let pprof = directory.appendingPathComponent("out.pb.gz").path
    XCTAssertEqual(run(shell, "export pprof \(pprof); load \(pprof)"), 0, shell.stderr)
    let loaded = try XCTUnwrap(shell.context.sessions.sessions.last)
    XCTAssertEqual(loaded.profile.samples.count, 1)
    XCTAssertEqual(loaded.profile.total(column: 0), 0)
    XCTAssertEqual(loaded.profile.functionNameCount, 2)
  }

  func testDifferenceProfileHasNoFoldedFormButExportsAsPprof() throws {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    b.addSample(rootFirstNames: ["main", "work"], values: [-5])
    b.addSample(rootFirstNames: ["main", "idle"], values: [3])
    let shell = CapturedShell()
    shell.context.sessions.add(profile: b.build(), name: "diff", source: .file(path: "diff.pb", format: "pprof"))
    let folded = directory.appendingPathComponent("diff.folded").path
    XCTAssertEqual(run(shell, "export folded \(folded)"), 1)
    XCTAssertTrue(
      shell.stderr.contains("has stacks with negative totals (a difference profile; line 2 would be negative)"),
      shell.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: folded))
    let pprof = directory.appendingPathComponent("diff.pb.gz").path
    XCTAssertEqual(run(shell, "export pprof \(pprof); load \(pprof)"), 0, shell.stderr)
    XCTAssertEqual(shell.context.sessions.sessions.last?.profile.total(column: 0), -2)
    XCTAssertEqual(ExportCommand.firstNegativeCountLine("a 1\nb -2\n"), 2)
    XCTAssertNil(ExportCommand.firstNegativeCountLine("a-b 1\nc;-d 2\n"))
  }

  func testSessionLineSummaryAndInfoCountFunctionsAlike() {
    // The same name in two source files: one function to a reader, two table records.
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let mainA = b.function("main", file: "a.c")
    let mainB = b.function("main", file: "b.c")
    let work = b.function("work", file: "a.c")
    b.addSample(leafFirst: [b.location(function: work), b.location(function: mainA)], values: [3])
    b.addSample(leafFirst: [b.location(function: mainB)], values: [1])
    let shell = CapturedShell()
    let session = shell.context.sessions.add(
      profile: b.build(), name: "dup", source: .file(path: "dup.pb", format: "pprof"))
    XCTAssertTrue(SessionDescription.line(session).contains("functions 2"), SessionDescription.line(session))
    XCTAssertEqual(run(shell, "summary; info"), 0, shell.stderr)
    XCTAssertTrue(shell.stdout.contains("Functions: 2 | Samples: 4\n"), shell.stdout)
    XCTAssertTrue(shell.stdout.contains("3 function records (2 distinct names)"), shell.stdout)
  }

  func testTracedSummaryCountsSampledFunctionsAndSaysHowManyWereTraced() {
    // Issue 21: "Functions: 2" for a traced session with many sampled functions.
    var p = AssertTests.traced()
    var b = ProfileBuilder(p)
    for name in ["main", "read_input", "write_output"] {
      b.addSample(rootFirstNames: [name], values: [1, 1_000])
    }
    p = b.build()
    let shell = CapturedShell()
    shell.context.sessions.add(profile: p, name: "traced", source: .run(command: ["./app"]))
    XCTAssertEqual(run(shell, "summary"), 0, shell.stderr)
    XCTAssertTrue(shell.stdout.contains("Functions: 5 (2 traced) | Total Calls: 40010 |"), shell.stdout)
  }
}

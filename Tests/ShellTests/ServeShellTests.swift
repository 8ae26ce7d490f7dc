import Analysis
import PerfshTestSupport
import ProfileModel
import Web
import XCTest

@testable import Shell

/// `serve` from the shell's side: the web compare builds its sides as `compare` does, a
/// command that ends without a session leaves no live page, and `heatmap` works on a
/// count-only (folded) session.
final class ServeShellTests: XCTestCase {
  /// Two traced sessions whose wall times differ while CPU times are equal, with C++ names
  /// the shell shows simplified.
  private func tracedShell() -> CapturedShell {
    func traced(wallMillis: Int64) -> Profile {
      var p = AssertTests.traced()
      for id in p.callStatistics.keys {
        p.callStatistics[id]?.wall = CallTimes(
          selfNanos: wallMillis * 1_000_000, totalNanos: wallMillis * 1_000_000, maxSelfNanos: 1, p95SelfNanos: 1)
      }
      return p
    }
    let s = CapturedShell()
    s.context.sessions.add(profile: traced(wallMillis: 800), name: "a", source: .run(command: ["./app"]))
    s.context.sessions.add(profile: traced(wallMillis: 1200), name: "b", source: .run(command: ["./app"]))
    return s
  }

  /// The rows (name, A, B, Δ) of the web compare for the shell's sessions 1 and 2.
  private func webRows(_ s: CapturedShell, query: String = "") throws -> [[String]] {
    let sessions = s.context.sessions.sessions.map { $0.webSession() }
    let json = try WebViews.compare(sessions[0], sessions[1], query: WebQuery(parsing: Substring(query))).text
    let data = try XCTUnwrap(json.data(using: .utf8))
    let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let rows = try XCTUnwrap(object["rows"] as? [[String: Any]])
    return rows.map { r in ["aText", "bText", "deltaText", "name"].map { "\(r[$0] ?? "")" } }
  }

  /// The same rows as `compare` prints them: the first three numbers and the name.
  private func shellRows(_ s: CapturedShell, _ command: String) -> [[String]] {
    let before = s.stdout.count
    XCTAssertEqual(s.runScript(command + "\n").exitStatus, 0, s.stderr)
    let text = String(s.stdout.dropFirst(before))
    return text.split(separator: "\n").compactMap { line in
      let words = line.split(separator: " ").map(String.init)
      guard words.count >= 4, words[0].first?.isNumber == true,
        words[2].first.map({ $0 == "+" || $0 == "-" || $0.isNumber }) == true
      else { return nil }
      return [words[0], words[1], words[2], words.last ?? ""]
    }
  }

  func testWebCompareHasTheShellsNumbersForEachClock() throws {
    let s = tracedShell()
    let cpuShell = shellRows(s, "compare 1 2")
    XCTAssertFalse(cpuShell.isEmpty, s.stdout)
    XCTAssertEqual(try webRows(s).sorted { $0[3] < $1[3] }, cpuShell.sorted { $0[3] < $1[3] })
    let wallShell = shellRows(s, "compare 1 2 --clock wall")
    XCTAssertTrue(wallShell.contains { $0[0] == "800ms" && $0[1] == "1.2s" && $0[2] == "+400ms" }, "\(wallShell)")
    XCTAssertEqual(try webRows(s, query: "clock=wall").sorted { $0[3] < $1[3] }, wallShell.sorted { $0[3] < $1[3] })
  }

  /// Names are shown as the shell shows them (simplified over both sides), not raw.
  func testWebCompareShowsTheShellsNames() throws {
    /// `main` calls ns::parse(int) and ns::scan(char const*) (mangled system names).
    func cxx(parseMillis: Int64) -> Profile {
      var b = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes)
      let main = b.location(function: b.function("main"))
      let parse = b.location(function: b.function("ns::parse(int)", systemName: "_ZN2ns5parseEi"))
      let scan = b.location(function: b.function("ns::scan(char const*)", systemName: "_ZN2ns4scanEPKc"))
      b.addSample(leafFirst: [parse, main], values: [parseMillis, parseMillis * 1_000_000])
      b.addSample(leafFirst: [scan, main], values: [10, 10_000_000])
      b.withProfile { $0.run.command = ["./app"] }
      return b.build()
    }
    let s = CapturedShell()
    s.context.sessions.add(profile: cxx(parseMillis: 40), name: "old", source: .run(command: ["./app"]))
    s.context.sessions.add(profile: cxx(parseMillis: 20), name: "new", source: .run(command: ["./app"]))
    let shell = shellRows(s, "compare 1 2")
    XCTAssertTrue(shell.contains { $0[3] == "ns::parse" }, "\(shell)\n\(s.stdout)")
    XCTAssertEqual(try webRows(s), shell)
  }

  /// A live page whose command ended without adding a session (failed, killed, a trial run)
  /// is gone once the command returns.
  func testLivePageEndsWithItsCommand() throws {
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("serve --port 0 --detach\n").exitStatus, 0, s.stderr)
    let serving = try XCTUnwrap(s.context.serving)
    serving.box.publishLive(
      id: 1,
      WebSession(
        id: 1, name: "doomed", source: "sh", origin: .run(command: ["sh"]), profile: ProfileFixtures.countsOnly(),
        samples: 95, isLive: true))
    XCTAssertEqual(serving.box.webSessions().map(\.name), ["doomed"])
    XCTAssertEqual(s.runScript("echo next\n").exitStatus, 0, s.stderr)
    XCTAssertEqual(serving.box.webSessions().map(\.name), [], "the live page outlived its command")
    XCTAssertEqual(s.runScript("serve stop\n").exitStatus, 0, s.stderr)
  }

  /// `heatmap` of a folded (count-only) session: Count in every mode, the legend saying so.
  func testHeatmapOfCountOnlySession() {
    let s = CapturedShell()
    s.context.sessions.add(
      profile: ProfileFixtures.countsOnly(), name: "x.folded", source: .file(path: "x.folded", format: "folded"))
    XCTAssertEqual(s.runScript("heatmap table\nheatmap bar\nheatmap sparkline\n").exitStatus, 0, s.stderr)
    XCTAssertFalse(s.stderr.contains("no sample type"), s.stderr)
    assertSnapshot(s.stdout, named: "heatmap-counts-only")
  }
}

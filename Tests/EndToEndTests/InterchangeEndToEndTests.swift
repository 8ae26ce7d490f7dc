import Foundation
import PerfshTestSupport
import XCTest

/// `export chrome`, `load` of its output and `export speedscope` through the built perfsh, on
/// the bundled calls workload traced with real uprobes.
final class InterchangeEndToEndTests: TracedWorkloadTestCase {
  override class var homePrefix: String { "interchange-e2e" }

  /// The `functions` rows of an `export json` file, by name.
  private func rows(_ url: URL) throws -> [String: [String: Int64]] {
    let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    let functions = try XCTUnwrap(object["functions"] as? [[String: Any]])
    var out: [String: [String: Int64]] = [:]
    for f in functions {
      guard let name = f["name"] as? String else { continue }
      var row: [String: Int64] = [:]
      for key in ["count", "cpu_ns", "avg_ns", "max_ns", "p95_ns"] { row[key] = f[key] as? Int64 }
      out[name] = row
    }
    return out
  }

  func testTracedSessionRoundTripsThroughChromeJSON() throws {
    let trace = home.appendingPathComponent("calls.trace.json")
    let traced = home.appendingPathComponent("traced.json")
    let loaded = home.appendingPathComponent("loaded.json")
    // The ring path: its P95 is exact, as the call log's is (the BPF path's comes from its
    // histogram, within 1.6 %, so it would differ from the log's in the last digits).
    let r = try perfsh(
      #"set tracebackend ring; run --no-sample --trace "^inner$" --trace "^outer$" examples/bin/calls; export chrome "#
        + trace.path
        + "; export json --clock wall --raw " + traced.path + "; load " + trace.path + "; export json " + loaded.path
        + "; heatmap table")
    XCTAssertEqual(r.status, 0, r.stderr)
    // Same counts and exactly the same wall-clock self, Avg, Max and P95 (raw: single calls
    // carry no probe-cost correction).
    let before = try rows(traced)
    let after = try rows(loaded)
    XCTAssertEqual(before["inner"]?["count"], 40_000)
    XCTAssertEqual(before["outer"]?["count"], 400)
    XCTAssertEqual(after, before)
    XCTAssertTrue(r.stdout.contains("Times: wall time per call"), r.stdout)
    // Every call is written under the target's pid, which the process_name event names too.
    let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: trace)) as? [String: Any])
    let events = try XCTUnwrap(object["traceEvents"] as? [[String: Any]])
    let pids = Set(events.compactMap { $0["pid"] as? Int })
    XCTAssertEqual(pids.count, 1, "\(pids)")
    XCTAssertGreaterThan(pids.first ?? 0, 1)
    XCTAssertEqual(events.filter { $0["ph"] as? String == "X" }.count, 40_400)
  }

  func testMaxEventsCapsTheCallsAndSaysSo() throws {
    let trace = home.appendingPathComponent("capped.json")
    let r = try perfsh(
      #"run --no-sample --trace "^inner$" --trace "^outer$" examples/bin/calls; export chrome --max-events 100 "#
        + trace.path
        + "; load " + trace.path + "; info")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(
      r.stderr.contains(
        "export: wrote the first 100 of 40400 calls (--max-events 100); raise --max-events to write the other 40300"),
      r.stderr)
    XCTAssertTrue(r.stdout.contains("Traced:      2 functions, 100 calls"), r.stdout)
  }

  func testChromeExportOfASampledSessionIsAClearError() throws {
    let r = try perfsh("run examples/bin/calls; export chrome " + home.appendingPathComponent("x.json").path)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("has no single calls to write: it was not traced"), r.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: home.appendingPathComponent("x.json").path))
  }

  func testSpeedscopeOfASampledRunHasOneProfilePerThread() throws {
    let file = home.appendingPathComponent("calls.speedscope.json")
    let r = try perfsh("run examples/bin/calls_threads; export speedscope " + file.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
    let profiles = try XCTUnwrap(object["profiles"] as? [[String: Any]])
    XCTAssertGreaterThan(profiles.count, 1, "one sampled profile per thread")
    for p in profiles {
      XCTAssertEqual(p["type"] as? String, "sampled")
      XCTAssertEqual(p["unit"] as? String, "nanoseconds")
      // A thread sampled after it released its ids at exit (rare) has no tid to name.
      let name = p["name"] as? String ?? ""
      XCTAssertTrue(name.contains("(tid ") || name == "[exiting thread, ids released]", name)
      XCTAssertFalse(name.contains("tid -1"), name)
    }
  }
}

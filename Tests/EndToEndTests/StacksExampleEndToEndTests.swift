import Foundation
import PerfshTestSupport
import XCTest

/// The atmos-like Go example (examples/workloads/stacks): perfsh's traced counts equal the counts
/// the program knows by construction (and prints), and sampling finds its main functions.
final class StacksExampleEndToEndTests: TracedWorkloadTestCase {
  override class var homePrefix: String { "stacks-e2e" }

  /// Whether Go entry probes count a call once when `runtime.morestack` restarts the function
  /// (issue 13, part 1, another branch). Until then a surplus of a few calls on the functions
  /// whose prologue grew a goroutine stack is the known defect and skips the exact check; a
  /// deficit or any other difference still fails. Set to true once that work is merged.
  static let morestackReentriesCountedOnce = true

  /// 500 stacks: every count below follows from the generator (see main.go's header).
  static let stacks = 500
  static var expected: [String: Int64] {
    let s = Int64(stacks)
    return [
      "main.parseFile": 115 + s, "main.processStack": s, "main.resolveImports": s, "main.describeStack": s,
      "main.collectImports": 14 * s, "main.mergeInto": 10 * s, "main.deepMerge": 89 * s,
    ]
  }

  private func stacksBinary() throws -> String {
    let path = Self.root.appendingPathComponent("examples/bin/stacks").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
      throw XCTSkip("examples/bin/stacks was not built (needs golang-go and golang-gopkg-yaml.v3-dev)")
    }
    return path
  }

  /// The `calls: name=N …` line the program prints, as `main.name: N`.
  private func printedCounts(_ stdout: String) throws -> [String: Int64] {
    let line = try XCTUnwrap(stdout.split(separator: "\n").first { $0.hasPrefix("calls: ") }, stdout)
    var counts: [String: Int64] = [:]
    for pair in line.dropFirst("calls: ".count).split(separator: " ") {
      let parts = pair.split(separator: "=")
      if parts.count == 2, let n = Int64(parts[1]) { counts["main.\(parts[0])"] = n }
    }
    return counts
  }

  func testTracedCountsAreTheProgramsOwn() throws {
    let binary = try stacksBinary()
    let tree = home.appendingPathComponent("tree").path
    let csv = home.appendingPathComponent("heatmap.csv").path
    let pattern = "^main\\.(parseFile|processStack|resolveImports|collectImports|mergeInto|deepMerge|describeStack)$"
    let result = try perfsh(
      "run --no-sample --trace '\(pattern)' '\(binary)' -dir '\(tree)' -stacks \(Self.stacks); export csv '\(csv)'")
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertEqual(try printedCounts(result.stdout), Self.expected, "the program's own counts are the constructed ones")
    // `function,count,…` rows; entry-only Go tracing leaves the time columns empty.
    var rows: [String: Int64] = [:]
    for line in try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      if fields.count > 1, let n = Int64(fields[1]) { rows[String(fields[0])] = n }
    }
    let traced = Dictionary(uniqueKeysWithValues: Self.expected.keys.map { ($0, rows[$0] ?? -1) })
    if traced != Self.expected && !Self.morestackReentriesCountedOnce {
      let surplus = Self.expected.keys.sorted().compactMap { name -> String? in
        let d = (traced[name] ?? 0) - (Self.expected[name] ?? 0)
        return d == 0 ? nil : "\(name) \(d > 0 ? "+" : "")\(d)"
      }
      if Self.expected.allSatisfy({ (traced[$0.key] ?? 0) >= $0.value }) {
        throw XCTSkip("Go entry probes count morestack restarts (issue 13 part 1): \(surplus.joined(separator: ", "))")
      }
    }
    XCTAssertEqual(traced, Self.expected)
  }

  func testSampledTopHasTheMainFunctions() throws {
    let binary = try stacksBinary()
    let tree = home.appendingPathComponent("tree").path
    let result = try perfsh("run '\(binary)' -dir '\(tree)' -stacks \(Self.stacks) -rounds 2; top 400 --cum")
    XCTAssertEqual(result.status, 0, result.stderr)
    let rows = result.stdout.split(separator: "\n").filter {
      $0.hasSuffix("main.processStack") || $0.hasSuffix("main.parseFile") || $0.hasSuffix("main.describeStack")
        || $0.hasSuffix("main.main")
    }
    let names = Set(rows.compactMap { $0.split(separator: " ").last.map(String.init) })
    XCTAssertEqual(names, ["main.main", "main.processStack", "main.parseFile", "main.describeStack"], result.stdout)
  }

  /// Go's system-stack (g0) frames end at their switch or thread start: no stack goes on
  /// above `runtime.systemstack`, `mcall`, `morestack` or `mstart` into an `[unknown]` root
  /// (before: 135 of the example's folded stacks did), and such stacks are there to check.
  func testSystemStackFramesEndAtAKnownRoot() throws {
    let binary = try stacksBinary()
    let tree = home.appendingPathComponent("tree").path
    let folded = home.appendingPathComponent("g0.folded").path
    let result = try perfsh(
      "run '\(binary)' -dir '\(tree)' -stacks \(Self.stacks) -rounds 2; export folded '\(folded)'")
    XCTAssertEqual(result.status, 0, result.stderr)
    let roots = ["runtime.systemstack", "runtime.mcall", "runtime.morestack", "runtime.mstart"]
    var rootedAtSwitch = 0
    for line in try String(contentsOfFile: folded, encoding: .utf8).split(separator: "\n") {
      let frames = line.split(separator: ";").map { $0.replacingOccurrences(of: ".abi0", with: "") }
      if let first = frames.first, roots.contains(first) { rootedAtSwitch += 1 }
      if frames.first == "[unknown]", frames.count > 1 {
        XCTAssertFalse(roots.contains(frames[1]), String(line))
      }
    }
    XCTAssertGreaterThan(rootedAtSwitch, 0, "GC and allocation work on g0 stacks is sampled in every run")
  }
}

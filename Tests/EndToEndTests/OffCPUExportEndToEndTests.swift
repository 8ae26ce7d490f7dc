import Foundation
import PerfshTestSupport
import XCTest

/// `export pprof` of a `run --off-cpu` session keeps cpu, offcpu and wall columns (every thread,
/// with the `critical=no` label), and `go tool pprof -sample_index=offcpu|wall` reads them with
/// the numbers perfsh shows.
final class OffCPUExportEndToEndTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    guard GoToolchain.goPath != nil else { throw XCTSkip("golang-go is not installed (scripts/test installs it)") }
    home = try GoToolchain.temporaryDirectory("e2e-offcpu")
  }

  override func tearDownWithError() throws {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  /// The table of a `top` report from its `Showing nodes` line on; perfsh's ` [k]` marks dropped.
  private func table(_ text: String) -> [String] {
    let lines = text.split(separator: "\n").map { $0.hasSuffix(" [k]") ? String($0.dropLast(4)) : String($0) }
    guard let start = lines.firstIndex(where: { $0.hasPrefix("Showing nodes accounting for") }) else { return [] }
    return Array(lines[start...].prefix { !$0.isEmpty })
  }

  func testGoToolPprofReadsEachClockOfAnOffCPUExport() throws {
    try PerfEvents.skipUnlessAvailable()
    let pb = home.appendingPathComponent("waits.pb.gz").path
    let script = """
      run --off-cpu \(try Workloads.path("waits"))
      top 0 --sample-index offcpu --all-threads
      top 0 --sample-index wall --all-threads
      top 0 --sample-index offcpu --tagignore critical=no
      export pprof \(pb)
      """
    let ours = try PerfshBinary.run(
      ["-c", script], environment: try PerfshBinary.environment(home: home), directory: home)
    XCTAssertEqual(ours.status, 0, ours.stderr)
    let tables = ours.stdout.components(separatedBy: "Showing nodes").dropFirst().map { table("Showing nodes" + $0) }
    guard tables.count == 3 else { return XCTFail(ours.stdout) }
    let go = try XCTUnwrap(GoToolchain.goPath)
    func goTop(_ extra: [String]) throws -> [String] {
      table(try GoToolchain.run([go, "tool", "pprof", "-top", "-symbolize=none"] + extra + [pb], in: home))
    }
    /// A kernel and a user function of one name (glibc's inlined futex_wait and the kernel's)
    /// are two rows in perfsh (the kernel one marked [k]) and one `(partial-inline)` row in pprof.
    func comparable(_ ours: [String], _ theirs: [String]) -> ([String], [String]) {
      let merged = Set(
        theirs.filter { $0.hasSuffix(" (partial-inline)") }.compactMap { $0.split(separator: " ").dropLast().last })
      func keep(_ line: String) -> Bool {
        let words = line.split(separator: " ")
        let name = words.last == "(inline)" || words.last == "(partial-inline)" ? words.dropLast().last : words.last
        return !merged.contains(name ?? "")
      }
      return (ours.filter(keep), theirs.filter(keep))
    }
    XCTAssertGreaterThan(tables[0].count, 4, ours.stdout)
    /// Same rows with the same values; percentages may differ by one in the last digit (pprof
    /// rounds a float of the exact nanoseconds, perfsh the shown value).
    /// Without `percentages`, only values and names are compared (the totals differ).
    func assertSameTable(_ ours: [String], _ theirs: [String], _ what: String, percentages: Bool = true) {
      XCTAssertEqual(ours.count, theirs.count, "\(what): \(ours) vs \(theirs)")
      for (a, b) in zip(ours, theirs) {
        let wa = a.split(separator: " ")
        let wb = b.split(separator: " ")
        let same =
          wa.count == wb.count
          && zip(wa, wb).allSatisfy { x, y in
            guard x != y else { return true }
            guard x.hasSuffix("%"), y.hasSuffix("%"), let p = Double(x.dropLast()), let q = Double(y.dropLast()) else {
              return false
            }
            return !percentages || abs(p - q) <= 0.0101
          }
        XCTAssertTrue(same, "\(what): '\(a)' vs '\(b)'")
      }
    }
    let offcpu = comparable(tables[0], try goTop(["-sample_index=offcpu"]))
    assertSameTable(offcpu.0, offcpu.1, "offcpu: same functions, flat and cum")
    let wall = comparable(tables[1], try goTop(["-sample_index=wall"]))
    assertSameTable(wall.0, wall.1, "wall: same functions, flat and cum")
    // pprof's -tagignore keeps dropped samples in its total (the header and every percentage);
    // perfsh's view total is what it shows. The values and names must agree; the percentages
    // differ by the other threads' share (79.32% against 79.30% on a loaded machine).
    let critical = comparable(tables[2], try goTop(["-sample_index=offcpu", "-tagignore=critical=no"]))
    assertSameTable(
      Array(critical.0.dropFirst()), Array(critical.1.dropFirst()), "the critical-thread view", percentages: false)
  }
}

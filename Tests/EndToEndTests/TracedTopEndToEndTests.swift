import Foundation
import PerfshTestSupport
import XCTest

/// `top --sort calls|avg|max|p95` and `summary` on traced sessions: exact numbers only.
final class TracedTopEndToEndTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    try PerfEvents.skipUnlessAvailable()
    guard FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/uprobe") else {
      throw XCTSkip("the kernel has no uprobes")
    }
    home = try GoToolchain.temporaryDirectory("e2e-traced-top")
  }

  override func tearDownWithError() throws {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  private func perfsh(_ script: String) throws -> ProcessResult {
    try PerfshBinary.run(["-c", script], environment: try PerfshBinary.environment(home: home), directory: home)
  }

  func testTopSortedByCallsShowsExactCountsAndSummaryTotalsThem() throws {
    let calls = try Workloads.path("calls")
    let r = try perfsh(#"run --trace "^inner$" --trace "^outer$" "# + calls + "; top --sort calls; summary")
    XCTAssertEqual(r.status, 0, r.stderr)
    let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
    let inner = rows.firstIndex { $0.first == "inner" }
    let outer = rows.firstIndex { $0.first == "outer" }
    XCTAssertNotNil(inner, r.stdout)
    XCTAssertNotNil(outer, r.stdout)
    if let i = inner, let o = outer {
      XCTAssertLessThan(i, o, "sorted by calls: inner (40000) before outer (400)")
      XCTAssertEqual(rows[i][1], "40000")
      XCTAssertEqual(rows[o][1], "400")
    }
    XCTAssertTrue(r.stdout.contains("Total Calls: 40400"), r.stdout)
  }

  func testTopSortOnASampledSessionSaysHowToGetCalls() throws {
    let r = try perfsh("run \(try Workloads.path("ratio")); top --sort p95")
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.stderr.contains("needs exact calls") && r.stderr.contains("run --trace"), r.stderr)
  }
}

import Foundation
import PerfshTestSupport
import XCTest

/// Binaries built with -fcf-protection (endbr64 first): perfsh probes after endbr64, says
/// so in `info`, counts stay exact and per-call CPU times match the program's own.
final class TracePlacementEndToEndTests: XCTestCase {
  private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  private var home: URL!

  override func setUpWithError() throws {
    guard FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/uprobe") else {
      throw XCTSkip("the kernel has no uprobes")
    }
    let build = try ProcessRunner.run(Self.root.appendingPathComponent("scripts/build-examples"), [])
    XCTAssertEqual(build.status, 0, build.stderr)
    home = try ProcessRunner.temporaryDirectory("trace-placement-e2e")
  }

  override func tearDownWithError() throws {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  private func check(binary: String) throws {
    let path = Self.root.appendingPathComponent("examples/bin/\(binary)").path
    guard FileManager.default.isExecutableFile(atPath: path) else { throw XCTSkip("\(binary) was not built (no compiler)") }
    let csv = home.appendingPathComponent("\(binary).csv")
    let truthFile = home.appendingPathComponent("\(binary).truth")
    let script = "run --no-sample --trace '^pc_' examples/bin/\(binary) \(truthFile.path); info; export csv \(csv.path)"
    let r = try PerfshBinary.run(["-c", script], environment: try PerfshBinary.environment(home: home), directory: Self.root)
    XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    XCTAssertTrue(r.stdout.contains("probe pc_tiny at +4 on 'push %rbp' (emulated): after endbr64"), r.stdout)
    let rows = parseHeatmapCSV(try String(contentsOf: csv, encoding: .utf8))
    XCTAssertEqual(rows["pc_tiny"]?.count, 20_000)
    XCTAssertEqual(rows["pc_small"]?.count, 5_000)
    XCTAssertEqual(rows["pc_mid"]?.count, 300)
    XCTAssertEqual(rows["pc_big"]?.count, 10)
    XCTAssertEqual(rows["pc_sleep"]?.count, 10)
    // CPU per call against the program's own measurement (±5 %, ±0.2 µs below 1 µs).
    let truth = try String(contentsOf: truthFile, encoding: .utf8)
    for line in truth.split(separator: "\n") where line.hasPrefix("truth ") {
      let f = line.split(separator: " ")
      let name = String(f[1])
      guard name != "pc_sleep", name != "pc_parent", let row = rows[name],
        let mean = f.first(where: { $0.hasPrefix("cpu_mean_ns=") }).flatMap({ Double($0.dropFirst(12)) })
      else { continue }
      let avg = Double(row.cpuNanos) / Double(row.count)
      XCTAssertEqual(avg, mean, accuracy: mean < 1_000 ? 200 : 0.05 * mean, "\(binary) \(name)")
    }
  }

  func testGCCBuildWithCFProtection() throws { try check(binary: "percall_cet") }

  func testClangBuildWithCFProtection() throws { try check(binary: "percall_cet_clang") }
}

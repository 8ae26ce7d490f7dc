import Analysis
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

final class HeatmapRenderingTests: XCTestCase {
  private func render(_ profile: Profile, _ mode: HeatmapMode, width: Int, color: Bool = false) throws -> String {
    let h = try Heatmap(profile: profile)
    let facts = SummaryFacts(elapsedNanos: profile.run.elapsedNanos, cpuNanos: profile.run.cpuNanos)
    var out = ""
    HeatmapRenderer.write(h, mode: mode, facts: facts, to: &out, options: RenderOptions(color: color, width: width))
    return out
  }

  func testGoldenTextForEveryModeAndWidth() throws {
    for (label, profile) in [("sampled", ProfileFixtures.cpu()), ("traced", ProfileFixtures.traced())] {
      for mode in HeatmapMode.allCases {
        for width in [80, 160] {
          let text = try render(profile, mode, width: width)
          assertSnapshot(text, named: "heatmap-\(label)-\(mode.rawValue)-\(width)")
        }
      }
    }
  }

  func testNothingWrapsAtAnyWidth() throws {
    for width in [40, 60, 80, 160] {
      for mode in HeatmapMode.allCases {
        let text = try render(ProfileFixtures.traced(), mode, width: width)
        for row in text.split(separator: "\n") {
          XCTAssertLessThanOrEqual(row.count, width, "\(mode) at \(width): \(row)")
        }
        if width >= 60 {
          XCTAssertTrue(text.contains("push_back"), "the last component of a long C++ name is kept (\(mode), \(width))")
        }
      }
    }
  }

  func testSampledSessionShowsDashesAndSaysWhy() throws {
    let text = try render(ProfileFixtures.cpu(), .table, width: 100)
    XCTAssertTrue(text.contains("Sampled session: Count = samples"))
    let row = text.split(separator: "\n").first { $0.hasPrefix("line1000") }.map(String.init) ?? ""
    XCTAssertEqual(row.split(separator: " ").suffix(3), ["-", "-", "-"])
    XCTAssertTrue(row.contains("100"), "Count shows the samples")
  }

  /// A folded (count-only) session: Count alone, ranked by it, bars by it, the legend saying so.
  func testCountOnlySessionShowsCountsInEveryMode() throws {
    let h = try Heatmap(profile: ProfileFixtures.countsOnly())
    XCTAssertEqual(h.rows.map(\.name), ["emit", "scan", "parse"])
    XCTAssertEqual(h.rows.map(\.count), [45, 30, 20])
    XCTAssertTrue(h.countsOnly)
    XCTAssertEqual(h.countType, "samples/count")
    for mode in HeatmapMode.allCases {
      let text = try render(ProfileFixtures.countsOnly(), mode, width: 80)
      assertSnapshot(text, named: "heatmap-counts-only-\(mode.rawValue)-80")
    }
    let bars = try render(ProfileFixtures.countsOnly(), .bar, width: 80)
    XCTAssertTrue(bars.hasPrefix("samples/count: 95\n"), bars)
    let emit = bars.split(separator: "\n").first { $0.hasPrefix("emit") }.map(String.init) ?? ""
    let parse = bars.split(separator: "\n").first { $0.hasPrefix("parse") }.map(String.init) ?? ""
    XCTAssertGreaterThan(emit.filter { $0 == "█" }.count, parse.filter { $0 == "█" }.count * 2, bars)
  }

  /// An explicit time clock on a count-only session still names what the session has.
  func testCountOnlySessionRefusesAnOffCPUClock() {
    XCTAssertThrowsError(try Heatmap(profile: ProfileFixtures.countsOnly(), sampleIndex: "wall")) { error in
      XCTAssertTrue("\(error)".contains("wall"), "\(error)")
    }
  }

  func testColourGradientRunsRedToGreenInImpactOrder() throws {
    let text = try render(ProfileFixtures.traced(), .bar, width: 120, color: true)
    let colours = text.split(separator: "\n").compactMap { line -> (Int, Int)? in
      guard let r = line.range(of: "\u{1B}[38;2;") else { return nil }
      let parts = line[r.upperBound...].prefix { $0 != "m" }.split(separator: ";").compactMap { Int($0) }
      return parts.count == 3 ? (parts[0], parts[1]) : nil
    }
    XCTAssertEqual(colours.count, 5)
    XCTAssertEqual(colours.first?.0, 255)
    XCTAssertEqual(colours.first?.1, 0, "the highest impact is pure red")
    XCTAssertEqual(colours.last?.0, 0)
    XCTAssertEqual(colours.last?.1, 255, "the lowest impact is pure green")
    for (a, b) in zip(colours, colours.dropFirst()) {
      XCTAssertTrue(b.0 <= a.0 && b.1 >= a.1, "colours move monotonically from red to green")
    }
    XCTAssertFalse(
      try render(ProfileFixtures.traced(), .bar, width: 120).contains("\u{1B}["), "no escapes with colour off")
  }

  func testBarsUseEighthCellsAndAreProportional() {
    XCTAssertEqual(HeatmapRenderer.bar(100, max: 100, width: 4), "████")
    XCTAssertEqual(HeatmapRenderer.bar(50, max: 100, width: 4), "██")
    XCTAssertEqual(HeatmapRenderer.bar(1, max: 100, width: 4), "▏", "any non-zero value shows")
    XCTAssertEqual(HeatmapRenderer.bar(55, max: 100, width: 4), "██▎", "17.6 eighths round to 18")
    XCTAssertEqual(HeatmapRenderer.bar(0, max: 100, width: 4), "")
  }

  func testNameFitKeepsLastComponent() {
    XCTAssertEqual(NameFit.fit("short", width: 10), "short")
    XCTAssertEqual(
      NameFit.fit("github.com/cloudposse/atmos/internal/exec.processStackConfig", width: 30),
      "github.com….processStackConfig")
    let cpp = "std::vector<int, std::allocator<int>>::push_back(int const&)"
    XCTAssertEqual(NameFit.fit(cpp, width: 40), "std::vector<int,…::push_back(int const&)")
    XCTAssertEqual(NameFit.fit(cpp, width: 20), "std::…::push_back(…)")
    XCTAssertEqual(NameFit.fit(cpp, width: 12), "…::push_back")
    XCTAssertLessThanOrEqual(NameFit.fit(String(repeating: "x", count: 100), width: 12).count, 12)
  }

  func testSummaryBlockLeavesOutUnknownFields() {
    let full = SummaryRenderer.lines(
      SummaryFacts(
        command: "./parser big.yaml", exit: "0", elapsedNanos: 54_160_000, cpuNanos: 37_210_000,
        functions: 42, totalCalls: 5980, samples: 37, lost: 0))
    XCTAssertEqual(
      full,
      [
        "=== perfsh Performance Summary ===",
        "Command: ./parser big.yaml | Exit: 0",
        "Elapsed: 54.16ms | CPU Time: 37.21ms | Parallelism: ~0.7x",
        "Functions: 42 | Total Calls: 5980 | Samples: 37 | Lost: 0",
      ])
    let loaded = SummaryRenderer.lines(SummaryFacts(cpuNanos: 2_410_000_000, functions: 87, samples: 241))
    XCTAssertEqual(loaded, ["=== perfsh Performance Summary ===", "CPU Time: 2.41s", "Functions: 87 | Samples: 241"])
    XCTAssertEqual(SummaryRenderer.parallelismText(3.96), "~4.0x")
    XCTAssertEqual(SummaryRenderer.parallelismText(0.04), "~0.04x")
  }
}

import Render
import XCTest

/// Units and numbers, checked against values pprof and DESIGN.md print.
final class FormatTests: XCTestCase {
  func testPprofPercentage() {
    XCTAssertEqual(PprofUnits.percentage(1100, of: 1120), "98.21%")
    XCTAssertEqual(PprofUnits.percentage(10, of: 1120), " 0.89%")
    XCTAssertEqual(PprofUnits.percentage(0, of: 1120), "    0%")
    XCTAssertEqual(PprofUnits.percentage(1120, of: 1120), "  100%")
    XCTAssertEqual(PprofUnits.percentage(1, of: 100_000), "0.001%")
    XCTAssertEqual(PprofUnits.percentage(5, of: 0), "    0%")
  }

  func testPprofScaledLabel() {
    XCTAssertEqual(PprofUnits.scaledLabel(1_100_000_000, from: "nanoseconds", to: "s"), "1.10s")
    XCTAssertEqual(PprofUnits.scaledLabel(10_000_000, from: "nanoseconds", to: "s"), "0.01s")
    XCTAssertEqual(PprofUnits.scaledLabel(1_000_000_000, from: "nanoseconds", to: "s"), "1s")
    XCTAssertEqual(PprofUnits.scaledLabel(0, from: "nanoseconds", to: "s"), "0")
    XCTAssertEqual(PprofUnits.scaledLabel(241, from: "count", to: "count"), "241")
    XCTAssertEqual(PprofUnits.scaledLabel(65_536_000, from: "bytes", to: "minimum"), "62.50MB")
    XCTAssertEqual(PprofUnits.scaledLabel(1500, from: "nanoseconds", to: "minimum"), "1.50us")
  }

  func testReportUnitIsOneForTheWholeReport() {
    // pprof: smallest 10ms and total 1.12s → seconds, so 10ms prints as 0.01s.
    XCTAssertEqual(
      PprofUnits.reportUnit(sampleUnit: "nanoseconds", nodeValues: [(10_000_000, 0)], total: 1_120_000_000), "s")
    // Smallest 5ms: 500ms < 1.12s still → seconds would print 0.01 for 5ms? 100×5ms = 0.5s → ms.
    XCTAssertEqual(
      PprofUnits.reportUnit(sampleUnit: "nanoseconds", nodeValues: [(5_000_000, 0)], total: 1_120_000_000), "ms")
    XCTAssertEqual(PprofUnits.reportUnit(sampleUnit: "count", nodeValues: [(3, 5)], total: 110), "count")
    XCTAssertEqual(
      PprofUnits.reportUnit(sampleUnit: "nanoseconds", nodeValues: [(0, 30_000_000)], total: 50_000_000), "ms")
  }

  func testDurationFormat() {
    XCTAssertEqual(DurationFormat.string(nanoseconds: 54_164_125), "54.16ms")
    XCTAssertEqual(DurationFormat.string(nanoseconds: 686_000), "686µs")
    XCTAssertEqual(DurationFormat.string(nanoseconds: 6_233_000), "6.233ms")
    XCTAssertEqual(DurationFormat.string(nanoseconds: 1_200_000_000), "1.2s")
    XCTAssertEqual(DurationFormat.string(nanoseconds: 370_000), "370µs")
    XCTAssertEqual(DurationFormat.string(nanoseconds: 999_960), "1ms")
    XCTAssertEqual(DurationFormat.string(nanoseconds: 412), "412ns")
    XCTAssertEqual(DurationFormat.string(nanoseconds: 0), "0s")
    XCTAssertEqual(DurationFormat.string(nanoseconds: 83_214_000_000), "83.21s")
    XCTAssertEqual(DurationFormat.string(nanoseconds: -2_500_000), "-2.5ms")
  }

  func testCountFormat() {
    XCTAssertEqual(CountFormat.grouped(5980), "5,980")
    XCTAssertEqual(CountFormat.grouped(447_586), "447,586")
    XCTAssertEqual(CountFormat.grouped(999), "999")
    XCTAssertEqual(CountFormat.grouped(1_000_000), "1,000,000")
    XCTAssertEqual(CountFormat.grouped(-1234), "-1,234")
  }
}

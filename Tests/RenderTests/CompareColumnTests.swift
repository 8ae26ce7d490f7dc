import Analysis
import ProfileModel
import Render
import XCTest

/// `compare --sample-index`: another value column than CPU time (the heap columns of
/// `run --alloc` sessions), in its own unit, with function rows untested over repeats.
final class CompareColumnTests: XCTestCase {
  static let types = [
    ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ValueType(type: "inuse_space", unit: "bytes"),
  ]

  /// `main` calls each function; (cpu ms, in-use bytes) per function.
  static func profile(_ rows: [String: (ms: Int64, bytes: Int64)], runs: Int = 1) -> Profile {
    var b = ProfileBuilder(sampleTypes: types)
    for name in rows.keys.sorted() {
      let r = rows[name] ?? (0, 0)
      b.addSample(rootFirstNames: ["main", name], values: [r.ms, r.ms * 1_000_000, 0])
      b.addSample(rootFirstNames: ["main", name], values: [0, 0, r.bytes])
    }
    b.withProfile { p in
      p.run.command = ["./app"]
      if runs > 1 {
        p.repeats = (0..<runs).map { _ in
          RunRepeat(
            elapsedNanos: 1_000_000, cpuNanos: 1_000_000,
            selfNanos: rows.mapValues { $0.ms * 1_000_000 / Int64(runs) })
        }
      }
    }
    return b.build()
  }

  func testTheChosenColumnIsComparedInBytes() throws {
    let a = Self.profile(["load_rows": (10, 300 << 20), "build_index": (50, 100 << 20)])
    let b = Self.profile(["load_rows": (10, 330 << 20), "build_index": (50, 100 << 20)])
    let column = try a.valueIndex(for: "inuse_space")
    let report = CompareReport(
      try CompareSide(label: "A", profile: a, samples: 2, column: column),
      try CompareSide(label: "B", profile: b, samples: 2, column: column))
    XCTAssertEqual(report.valueType, ValueType(type: "inuse_space", unit: "bytes"))
    // By bytes load_rows changed (+30 MiB) and build_index did not; by CPU it is the other way round.
    XCTAssertEqual(report.rows.map(\.name), ["load_rows", "build_index"])
    XCTAssertEqual(report.rows[0].delta, Double(30 << 20))
    XCTAssertEqual(report.rows[1].delta, 0)
    var out = ""
    CompareRenderer.write(report, to: &out, options: RenderOptions())
    XCTAssertTrue(out.contains("300MB") && out.contains("330MB") && out.contains("+30MB"), out)
    XCTAssertTrue(out.contains("Values are inuse_space per run."), out)
    XCTAssertFalse(report.rowsUntested)
  }

  func testRepeatsKeepCPUOnlySoHeapRowsCarryNoTest() throws {
    let a = Self.profile(["f": (100, 1 << 20)], runs: 5)
    let b = Self.profile(["f": (150, 2 << 20)], runs: 5)
    let column = try a.valueIndex(for: "inuse_space")
    let heap = CompareReport(
      try CompareSide(label: "A", profile: a, samples: 2, column: column),
      try CompareSide(label: "B", profile: b, samples: 2, column: column))
    XCTAssertTrue(heap.rowsUntested)
    XCTAssertNil(heap.rows.first?.verdict)
    XCTAssertEqual(heap.rows.first?.a, Double(1 << 20) / 5, "values per run")
    XCTAssertTrue(CompareRenderer.notes(heap).contains { $0.contains("Function rows of inuse_space carry no test") })
    // The CPU column of the same sessions is tested per run as before.
    let cpu = CompareReport(
      try CompareSide(label: "A", profile: a, samples: 2), try CompareSide(label: "B", profile: b, samples: 2))
    XCTAssertFalse(cpu.rowsUntested)
    XCTAssertNotNil(cpu.rows.first { $0.name == "f" }?.verdict)
  }
}

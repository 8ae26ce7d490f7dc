import Analysis
import ProfileModel
import XCTest

/// The heatmap's per-row series over time, from plain profiles: sampled rows follow their
/// leaf locations' time (whole without a filter, in proportion with one), traced rows give
/// average self time per call per column, and sessions without times say so.
final class HeatmapTimelineTests: XCTestCase {
  static let ms: Int64 = 1_000_000

  /// `A` has 40 ms in the first half of a 1 s run, `B` 20 ms in the second half, both under `main`.
  static func phased() -> Profile {
    var b = ProfileBuilder(
      sampleTypes: [ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds")])
    b.addSample(rootFirstNames: ["main", "A"], values: [40, 40 * ms])
    b.addSample(rootFirstNames: ["main", "B"], values: [20, 20 * ms])
    var p = b.build()
    func leaf(_ name: String) -> LocationID {
      LocationID(p.locations.firstIndex { $0.lines.first.map { p.name(of: $0.function) } == name } ?? -1)
    }
    var t = SampleTimeline(spanNanos: 1_000 * ms)
    for bucket in 0..<32 { t.add(40 * ms / 32, location: leaf("A"), bucket: bucket) }
    for bucket in 32..<64 { t.add(20 * ms / 32, location: leaf("B"), bucket: bucket) }
    p.timeline = t
    return p
  }

  func testSampledRowsFollowTheirTimeAndKeepTheirMass() throws {
    let h = try Heatmap(profile: Self.phased())
    XCTAssertEqual(h.timelineKind, .sampledSelfTime(spanNanos: 1_000 * Self.ms, runs: 1))
    let a = try XCTUnwrap(h.rows.first { $0.name == "A" }?.timeline)
    let b = try XCTUnwrap(h.rows.first { $0.name == "B" }?.timeline)
    XCTAssertEqual(a.selfNanos.reduce(0, +), 40 * Self.ms, "a row's buckets sum to its CPU Time")
    XCTAssertEqual(b.selfNanos.reduce(0, +), 20 * Self.ms)
    let columns = a.columns(10).map { $0 ?? -1 }
    XCTAssertEqual(columns.prefix(5).reduce(0, +), Double(40 * Self.ms), accuracy: 1)
    XCTAssertEqual(columns.suffix(5), [0, 0, 0, 0, 0])
    XCTAssertEqual(b.columns(10).prefix(5).map { $0 ?? -1 }, [0, 0, 0, 0, 0])
    // Width 1: the whole mass in the one column.
    XCTAssertEqual(a.columns(1).first ?? nil, Double(40 * Self.ms))
    XCTAssertNil(h.rows.first { $0.name == "main" }, "main has no self time")
  }

  func testFilteredRowsGetTheirShareOfTheLeafsTime() throws {
    // hide A: its self time goes to main, and so does its time line.
    let h = try Heatmap(profile: Self.phased(), filter: try ProfileFilter(focus: nil, hide: "^A$"))
    let main = try XCTUnwrap(h.rows.first { $0.name == "main" })
    XCTAssertEqual(main.cpuNanos, 40 * Self.ms)
    XCTAssertEqual(main.timeline?.selfNanos.reduce(0, +), 40 * Self.ms)
    XCTAssertEqual(main.timeline?.selfNanos.suffix(32).reduce(0, +), 0)
  }

  func testSessionsWithoutTimesSaySo() throws {
    var p = Self.phased()
    p.timeline = nil
    let h = try Heatmap(profile: p)
    guard case .unavailable = h.timelineKind else { return XCTFail("\(h.timelineKind)") }
    XCTAssertTrue(h.rows.allSatisfy { $0.timeline == nil })
  }

  func testTracedRowsShowAverageSelfTimePerCallOfTheCallsThatBeganThere() throws {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    b.addSample(rootFirstNames: ["f"], values: [1])
    b.addSample(rootFirstNames: ["g"], values: [1])
    var p = b.build()
    let f = FunctionID(p.functions.firstIndex { p.string($0.name) == "f" } ?? -1)
    let g = FunctionID(p.functions.firstIndex { p.string($0.name) == "g" } ?? -1)
    var events: [CallEvent] = []
    // First half: f takes 10 µs with a 4 µs g inside (self 6 µs); second half: f alone, 2 µs.
    for i in 0..<50 {
      let start = Int64(i) * 20_000
      events.append(CallEvent(function: f, thread: 1, startNanos: start, wallNanos: 10_000))
      events.append(CallEvent(function: g, thread: 1, startNanos: start + 3_000, wallNanos: 4_000))
    }
    for i in 50..<100 {
      events.append(CallEvent(function: f, thread: 1, startNanos: Int64(i) * 20_000, wallNanos: 2_000))
    }
    p.callEvents = CallEventLog(events: events)
    p.callStatistics[f] = CallStatistics(
      calls: 100, selfNanos: 400_000, totalNanos: 600_000, maxSelfNanos: 6_000, p95SelfNanos: 6_000, clock: .wall)
    p.callStatistics[g] = CallStatistics(
      calls: 50, selfNanos: 200_000, totalNanos: 200_000, maxSelfNanos: 4_000, p95SelfNanos: 4_000, clock: .wall)
    let h = try Heatmap(profile: p, clock: .wall)
    guard case .tracedAveragePerCall = h.timelineKind else { return XCTFail("\(h.timelineKind)") }
    let fs = try XCTUnwrap(h.rows.first { $0.name == "f" }?.timeline).columns(2)
    XCTAssertEqual(fs[0] ?? -1, 6_000, accuracy: 1)
    XCTAssertEqual(fs[1] ?? -1, 2_000, accuracy: 1)
    let gs = try XCTUnwrap(h.rows.first { $0.name == "g" }?.timeline).columns(2)
    XCTAssertEqual(gs[0] ?? -1, 4_000, accuracy: 1)
    XCTAssertNil(gs[1], "no call of g began in the second half")
  }
}

import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// perfsh's exact per-call numbers in its own pprof files: read back by perfsh, skipped by
/// `go tool pprof`, which still reads the file with the same numbers.
final class PprofCallStatisticsTests: XCTestCase {
  private func statisticsByName(_ p: Profile) -> [String: CallStatistics] {
    Dictionary(uniqueKeysWithValues: p.callStatistics.map { (p.name(of: $0.key), $0.value) })
  }

  func testExactNumbersSurviveExportAndLoad() throws {
    var traced = ProfileFixtures.traced()
    // Every view is kept, not only the main fields.
    let first = try XCTUnwrap(traced.callStatistics.keys.min())
    traced.callStatistics[first]?.wall = CallTimes(selfNanos: 9, totalNanos: 10, maxSelfNanos: 3, p95SelfNanos: nil)
    traced.callStatistics[first]?.probeCostNanos = 2_454
    traced.callStatistics[first]?.unmatchedEntries = 4
    let loaded = try ProfileLoader.load(bytes: try PprofEncoder.encode(traced), name: "traced.pb.gz")
    XCTAssertEqual(loaded.callStatistics.count, 5)
    XCTAssertEqual(statisticsByName(loaded), statisticsByName(traced))
    XCTAssertEqual(loaded.comments, traced.comments, "no text leaks into pprof comments")
    // A second export of the loaded profile carries them again.
    let again = try ProfileLoader.load(bytes: try PprofEncoder.encode(loaded), name: "again.pb.gz")
    XCTAssertEqual(statisticsByName(again), statisticsByName(traced))
  }

  func testUnknownFunctionInTheExtensionIsAnError() throws {
    var p = ProfileFixtures.traced()
    var extra = ProtoWriter()
    var entry = ProtoWriter()
    entry.uint64(1, 99)
    entry.message(
      2,
      SessionArchiveWriter.callStatistics(
        CallStatistics(calls: 1, selfNanos: 1, totalNanos: 1, maxSelfNanos: 1, p95SelfNanos: 1)))
    extra.message(Int(PprofCallStatistics.field), entry)
    p.callStatistics = [:]
    let bytes = try PprofEncoder.encodeProto(p) + extra.bytes
    XCTAssertThrowsError(try ProfileLoader.load(bytes: bytes, name: "x")) { error in
      XCTAssertEqual(
        error as? FormatError,
        .invalidPprof(reason: "perfsh call statistics (field 7001) name function 99, which does not exist"))
    }
  }

  func testGoToolPprofIgnoresTheExtension() throws {
    guard GoToolchain.goPath != nil else { throw XCTSkip("go is not installed (scripts/test installs golang-go)") }
    let dir = try GoToolchain.temporaryDirectory("pprof-call-stats")
    defer { try? FileManager.default.removeItem(at: dir) }
    let traced = ProfileFixtures.traced()
    var plain = traced
    plain.callStatistics = [:]
    let with = dir.appendingPathComponent("with.pb.gz")
    let without = dir.appendingPathComponent("without.pb.gz")
    try Data(try PprofEncoder.encode(traced)).write(to: with)
    try Data(try PprofEncoder.encode(plain)).write(to: without)
    XCTAssertGreaterThan(
      try Data(contentsOf: with).count, try Data(contentsOf: without).count, "the extension is in the file")
    for index in ["calls", "self"] {
      let top = try GoToolchain.pprofTop(with, sampleIndex: index)
      XCTAssertEqual(top, try GoToolchain.pprofTop(without, sampleIndex: index), index)
      XCTAssertEqual(top["utils.processCustomTags"]?.flat, index == "calls" ? 447_586 : 165_606_820)
    }
  }
}

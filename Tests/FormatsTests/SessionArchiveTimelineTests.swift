import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// The sample timeline in perfsh session files (field 22): it comes back cell for cell, a
/// file without it opens with none, and a damaged or newer timeline is a clear error.
final class SessionArchiveTimelineTests: XCTestCase {
  static func profile(spanNanos: Int64 = 987_654_321, runs: Int = 3) -> Profile {
    var p = FixtureProfiles.rich()
    var t = SampleTimeline(spanNanos: spanNanos, runs: runs)
    for (i, _) in p.locations.enumerated() {
      t.add(Int64(i + 1) * 1_000_003, location: LocationID(i), bucket: (i * 17) % SampleTimeline.bucketCount)
      t.add(-5, location: LocationID(i), bucket: 63)  // negative values (a subtracted column) survive too
    }
    p.timeline = t
    return p
  }

  private func roundTrip(_ p: Profile) throws -> Profile {
    let bytes = SessionArchive.encode([ArchivedSession(name: "t", source: .run(command: ["t"]), profile: p)])
    return try XCTUnwrap(try SessionArchive.decode(bytes).first?.profile)
  }

  func testTimelineRoundTrips() throws {
    let p = Self.profile()
    XCTAssertFalse(p.timeline?.cells.isEmpty ?? true)
    XCTAssertEqual(try roundTrip(p).timeline, p.timeline)
  }

  func testSessionsWithoutTimelineOpenWithout() throws {
    XCTAssertNil(try roundTrip(FixtureProfiles.rich()).timeline)
  }

  private func read(_ w: ProtoWriter, locations: Int) throws -> SampleTimeline {
    try w.bytes.withUnsafeBytes { buffer in
      var r = ProtoReader(buffer, range: 0..<buffer.count)
      return try SessionArchiveTimeline.read(&r, locations: locations)
    }
  }

  func testTimelineNamingAMissingLocationIsRejected() {
    let t = SampleTimeline(spanNanos: 5, cells: [SampleTimeline.cellKey(LocationID(9), 1): 4])
    XCTAssertThrowsError(try read(SessionArchiveTimeline.write(t), locations: 3)) { error in
      XCTAssertTrue("\(error)".contains("location 9"), "\(error)")
    }
    XCTAssertEqual(try read(SessionArchiveTimeline.write(t), locations: 10), t)
    var newer = ProtoWriter()
    newer.uint64(1, SessionArchiveTimeline.version + 1)
    XCTAssertThrowsError(try read(newer, locations: 3)) { error in
      XCTAssertTrue("\(error)".contains("timeline layout 2"), "\(error)")
    }
  }
}

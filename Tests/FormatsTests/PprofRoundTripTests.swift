import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

final class PprofRoundTripTests: XCTestCase {
  func testRichProfileRoundTripsWithNothingLost() throws {
    let original = FixtureProfiles.rich()
    let bytes = try PprofEncoder.encode(original)
    XCTAssertTrue(Gzip.isGzip(bytes))
    let decoded = try PprofDecoder.decode(bytes)
    XCTAssertEqual(ProfileSummary(decoded).differences(from: ProfileSummary(original)), [])
    // Two samples on the same stack stay two samples.
    XCTAssertEqual(decoded.samples.count, 6)
    XCTAssertEqual(decoded.samples.stacks[0], decoded.samples.stacks[1])
    // The second generation is byte-identical: the encoding is deterministic and complete.
    XCTAssertEqual(try PprofEncoder.encode(decoded), bytes)
  }

  func testRandomProfilesRoundTrip() throws {
    for seed in UInt64(1)...5 {
      let original = FixtureProfiles.random(seed: seed, samples: 2000)
      let decoded = try PprofDecoder.decode(try PprofEncoder.encode(original))
      XCTAssertEqual(ProfileSummary(decoded).differences(from: ProfileSummary(original)), [], "seed \(seed)")
      XCTAssertEqual(decoded.stacks.count, original.stacks.count, "seed \(seed)")
    }
  }

  func testUncompressedProtoIsAlsoRead() throws {
    let original = FixtureProfiles.rich()
    let proto = try PprofEncoder.encode(original, compress: false)
    XCTAssertFalse(Gzip.isGzip(proto))
    let decoded = try PprofDecoder.decode(proto)
    XCTAssertEqual(ProfileSummary(decoded).differences(from: ProfileSummary(original)), [])
  }

  func testEncoderWritesTimeOnceAndEmptyFirstString() throws {
    let proto = try PprofEncoder.encode(FixtureProfiles.rich(), compress: false)
    var timeFields = 0
    var firstString: [UInt8]?
    try proto.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
      var r = ProtoReader(raw, range: 0..<raw.count)
      while !r.isAtEnd {
        let (field, wire) = try r.readTag()
        if field == 6 && firstString == nil {
          firstString = Array(raw[try r.readLengthDelimited()])
          continue
        }
        if field == 9 { timeFields += 1 }
        try r.skip(wire)
      }
    }
    XCTAssertEqual(timeFields, 1)
    XCTAssertEqual(firstString, [])
  }

  func testInvalidProfileIsRefusedByEncoder() {
    var p = FixtureProfiles.rich()
    p.locations[0].lines[0].function = FunctionID(99)
    XCTAssertThrowsError(try PprofEncoder.encode(p)) { error in
      guard case FormatError.invalidProfile(.badFunctionID) = error else { return XCTFail("\(error)") }
    }
  }
}

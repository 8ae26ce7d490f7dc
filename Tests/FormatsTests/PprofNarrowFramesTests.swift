import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// The pprof decoder keeps frames as two-byte location indices while they fit and moves them to
/// four bytes when one does not (a truncation marker past 65,535 locations). Whichever it uses,
/// and wherever it switches, every sample must come out with the same stack.
final class PprofNarrowFramesTests: XCTestCase {
  /// Each sample's stack as function names, leaf first, in sample order.
  private func stacks(_ p: Profile) -> [[String]] {
    (0..<p.samples.count).map { s in
      p.stacks.frames(leafFirst: p.samples.stacks[s]).map { loc in
        p.locations[loc.index].lines.map { p.strings[p.functions[$0.function.index].name] }.joined(separator: "+")
      }
    }
  }

  func testSamplesKeepTheirStacksWithNarrowWideAndSwitchedFrames() throws {
    let original = ProfileFixtures.synthetic(samples: 5_000, stacks: 800, functions: 300, seed: 11)
    let bytes = try PprofEncoder.encodeProto(original)
    func decode(limit: Int32) throws -> Profile {
      try bytes.withUnsafeBytes { raw throws(FormatError) in
        try PprofDecoder.decodeProto(raw, narrowFrameLimit: limit)
      }
    }
    let narrow = try decode(limit: Int32(UInt16.max))
    // Limit 40: the first frame past location 40 moves every frame kept so far to four bytes.
    let switched = try decode(limit: 40)
    // Limit 0: more locations than fit, so four bytes from the start.
    let wide = try decode(limit: 0)
    let expected = stacks(original)
    XCTAssertEqual(expected.count, 5_000)
    XCTAssertEqual(stacks(narrow), expected)
    XCTAssertEqual(stacks(switched), expected)
    XCTAssertEqual(stacks(wide), expected)
    XCTAssertEqual(narrow.stacks.count, wide.stacks.count, "the same tree either way")
    XCTAssertEqual(switched.stacks.count, wide.stacks.count)
  }
}

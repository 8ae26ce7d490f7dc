import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// Mutates valid fixtures at random (fixed seed) and feeds them to the loader: every input
/// must give a profile or a `FormatError`, never a crash or a hang. A loaded profile must
/// also pass `validate()` and encode again, so no half-checked profile escapes.
final class MutationFuzzTests: XCTestCase {
  private func fixtures() throws -> [[UInt8]] {
    let rich = FixtureProfiles.rich()
    let random = FixtureProfiles.random(seed: 77, samples: 40, functions: 12, locations: 20, maxDepth: 6)
    return [
      try PprofEncoder.encode(rich, compress: false),
      try PprofEncoder.encode(rich),
      try PprofEncoder.encode(random, compress: false),
      Array(FoldedStacksWriter.write(rich, column: 0).utf8),
      Gzip.compress(Array(FoldedStacksWriter.write(random, column: 0).utf8)),
    ]
  }

  private func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
    var bytes = input
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
      guard !bytes.isEmpty else { break }
      let at = Int.random(in: 0..<bytes.count, using: &rng)
      switch Int.random(in: 0..<6, using: &rng) {
      case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
      case 1: bytes.removeSubrange(at...)
      case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
      case 3: bytes[at] = [0x00, 0x7f, 0x80, 0xff][Int.random(in: 0..<4, using: &rng)]
      case 4: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &rng)))
      default:
        // A long varint: what huge lengths and ids look like.
        bytes.insert(contentsOf: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], at: at)
      }
    }
    return bytes
  }

  func testMutatedFixturesNeverCrash() throws {
    var rng = SeededGenerator(seed: 0x5eed)
    var loaded = 0
    var failed = 0
    let inputs = try fixtures()
    for round in 0..<4000 {
      let input = mutate(inputs[round % inputs.count], &rng)
      do {
        let p = try ProfileLoader.load(bytes: input, name: "fuzz")
        XCTAssertNoThrow(try p.validate(), "round \(round)")
        XCTAssertNoThrow(try PprofEncoder.encode(p), "round \(round)")
        loaded += 1
      } catch {
        XCTAssertFalse(error.description.isEmpty)
        failed += 1
      }
    }
    // Both outcomes occur, so the mutations reach past the first checks.
    XCTAssertGreaterThan(loaded, 100)
    XCTAssertGreaterThan(failed, 100)
  }
}

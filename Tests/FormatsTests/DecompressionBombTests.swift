import ProfileModel
import XCTest

@testable import Formats

/// Gzip bombs and forged pprof counts: each must end in a clear error before memory is spent.
final class DecompressionBombTests: XCTestCase {
  /// profile.proto bytes: one sample type, one location and `samples` copies of a 6-byte sample.
  private func manySamples(_ samples: Int, sampleTypes: Int = 1, emptySamples: Bool = false) -> [UInt8] {
    var w = ProtoWriter()
    for _ in 0..<sampleTypes {
      var t = ProtoWriter()
      t.tag(1, .varint)
      t.varint(1)
      t.tag(2, .varint)
      t.varint(2)
      w.message(1, t)
    }
    var loc = ProtoWriter()
    loc.tag(1, .varint)
    loc.varint(1)
    w.message(4, loc)
    for s in ["", "samples", "count"] { w.string(6, s) }
    let sample: [UInt8] = emptySamples ? [0x12, 0x00] : [0x12, 0x04, 0x08, 0x01, 0x10, 0x01]
    w.bytes.reserveCapacity(w.bytes.count + samples * sample.count)
    for _ in 0..<samples { w.bytes += sample }
    return w.bytes
  }

  func testGzipOfZerosStopsAtTheConfiguredLimit() {
    let bomb = Gzip.compress([UInt8](repeating: 0, count: 64 << 20), level: 9)
    XCTAssertLessThan(bomb.count, 100_000, "64 MiB of zeros compresses ~1000:1")
    XCTAssertThrowsError(try Gzip.decompress(bomb, limit: 1 << 20)) {
      XCTAssertEqual($0 as? FormatError, .tooLarge(limit: 1 << 20))
    }
    XCTAssertThrowsError(try ProfileLoader.load(bytes: bomb, name: "zeros.gz", limit: 1 << 20)) {
      XCTAssertEqual("\($0)", "decompressed profile is larger than the 1 MiB limit")
    }
  }

  func testConcatenatedMembersCountTogether() throws {
    let member = Gzip.compress([UInt8](repeating: 7, count: 512 << 10))
    let three = member + member + member
    XCTAssertEqual(try Gzip.decompress(three, limit: 2 << 20).count, 3 * (512 << 10))
    XCTAssertThrowsError(try Gzip.decompress(three, limit: 1 << 20)) {
      XCTAssertEqual($0 as? FormatError, .tooLarge(limit: 1 << 20))
    }
  }

  func testValidLookingSamplesAreRefusedPastTheMemoryBudget() throws {
    let plain = manySamples(2_000_000)
    let bomb = Gzip.compress(plain)
    XCTAssertLessThan(bomb.count, plain.count / 100)
    // A small budget shows the refusal comes from the estimate, while scanning.
    XCTAssertThrowsError(try ProfileLoader.load(bytes: bomb, name: "bomb.pb.gz", memoryBudget: 64 << 20)) {
      XCTAssertEqual($0 as? FormatError, .needsTooMuchMemory(limit: 64 << 20))
      XCTAssertTrue("\($0)".hasPrefix("profile would need more than the 64 MiB memory limit"), "\($0)")
    }
    // The same shape, small, loads within that budget with every sample.
    let small = try ProfileLoader.load(
      bytes: Gzip.compress(manySamples(1000)), name: "ok.pb.gz", memoryBudget: 64 << 20)
    XCTAssertEqual(small.samples.count, 1000)
    XCTAssertEqual(small.total(column: 0), 1000)
  }

  func testThousandsOfSampleTypesDoNotReserveFromDeclaredCounts() {
    // 4,096 declared columns × 1M samples would reserve 32 GB of values; the budget stops it, and
    // with an unlimited budget the reservation is bounded by the bytes present, so the decoder
    // reaches the real error (a sample without values) instead of trapping in the allocator.
    let forged = manySamples(1_000_000, sampleTypes: 4096, emptySamples: true)
    XCTAssertThrowsError(try PprofDecoder.decode(forged)) {
      XCTAssertEqual($0 as? FormatError, .needsTooMuchMemory(limit: PprofDecoder.defaultMemoryBudget))
    }
    XCTAssertThrowsError(try PprofDecoder.decode(forged, memoryBudget: .max)) {
      XCTAssertEqual("\($0)", "invalid pprof profile: sample 0 has 0 values vs. 4096 sample types")
    }
  }
}

extension DecompressionBombTests {
  func testMillionsOfUnpackedCommentsCountAgainstTheBudget() {
    var w = ProtoWriter()
    w.string(6, "")
    w.bytes.reserveCapacity(4_000_010)
    for _ in 0..<2_000_000 { w.bytes += [0x68, 0x00] }  // comment = string 0, unpacked
    XCTAssertThrowsError(try PprofDecoder.decode(w.bytes, memoryBudget: 16 << 20)) {
      XCTAssertEqual($0 as? FormatError, .needsTooMuchMemory(limit: 16 << 20))
    }
    XCTAssertEqual(
      try PprofDecoder.decode(Array(w.bytes.prefix(2 + 2 * 1000)), memoryBudget: 16 << 20).comments.count, 1000)
  }
}

extension DecompressionBombTests {
  func testFoldedLinesOfNewDeepPathsCountAgainstTheBudget() throws {
    // Each line is a new 1,000-frame path: ~8 KB of text making 1,000 stack nodes.
    let deep = String(repeating: ";x", count: 999)
    let text = (0..<2000).map { "r\($0)\(deep) 1\n" }.joined()
    let bomb = Gzip.compress(Array(text.utf8), level: 9)
    XCTAssertThrowsError(try ProfileLoader.load(bytes: bomb, name: "deep.folded.gz", memoryBudget: 16 << 20)) {
      XCTAssertEqual($0 as? FormatError, .needsTooMuchMemory(limit: 16 << 20))
    }
    let fits = try ProfileLoader.load(bytes: bomb, name: "deep.folded.gz", memoryBudget: 1 << 30)
    XCTAssertEqual(fits.samples.count, 2000)
    XCTAssertEqual(fits.stacks.count, 2000 * 1000 + 1)
  }
}

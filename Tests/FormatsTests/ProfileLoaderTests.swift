import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

final class ProfileLoaderTests: XCTestCase {
  private func loadError(_ bytes: [UInt8]) -> FormatError? {
    do {
      _ = try ProfileLoader.load(bytes: bytes, name: "test")
      XCTFail("loaded without error")
      return nil
    } catch {
      return error
    }
  }

  func testDetectsEachFormatFromContent() throws {
    let rich = FixtureProfiles.rich()
    let gz = try PprofEncoder.encode(rich)
    let plain = try PprofEncoder.encode(rich, compress: false)
    let folded = Array("main;work 5\nmain 1\n".utf8)
    XCTAssertEqual(try ProfileLoader.load(bytes: gz, name: "a").samples.count, 6)
    XCTAssertEqual(try ProfileLoader.load(bytes: plain, name: "a").samples.count, 6)
    XCTAssertEqual(try ProfileLoader.load(bytes: folded, name: "a").total(column: 0), 6)
    let gzFolded = try ProfileLoader.load(bytes: Gzip.compress(folded), name: "f.gz")
    XCTAssertEqual(gzFolded.total(column: 0), 6)
    XCTAssertEqual(gzFolded.run.notes, ["loaded from f.gz (gzipped folded stacks)"])
  }

  func testEmptyAndUnrecognizedInput() {
    XCTAssertEqual(loadError([]), .empty)
    XCTAssertEqual(loadError(Gzip.compress([])), .emptyGzip)
    XCTAssertEqual(loadError(Array("hello world\nthis is not a profile\n".utf8)), .unrecognized)
    // JSON is read as a Chrome trace; one with no events is an error of its own.
    guard case .invalidChromeTrace? = loadError(Array("{\"traceEvents\": []}".utf8)) else {
      return XCTFail("an empty Chrome trace loaded or failed otherwise")
    }
    XCTAssertEqual(loadError([0x00, 0x01, 0x02]), .unrecognized)
    XCTAssertEqual(loadError(Array(FormatError.unrecognized.description.utf8)), .unrecognized)
    XCTAssertEqual(FormatError.unrecognized.description, "not a pprof profile, folded stacks or Chrome trace JSON")
  }

  func testTruncatedGzipProfile() throws {
    let gz = try PprofEncoder.encode(FixtureProfiles.random(seed: 3, samples: 300))
    XCTAssertEqual(loadError(Array(gz[..<(gz.count / 2)])), .truncatedGzip)
  }

  func testHundredMegabytesOfRandomBytesFailQuickly() {
    var rng = SeededGenerator(seed: 100)
    var bytes = [UInt8](repeating: 0, count: 100 << 20)
    bytes.withUnsafeMutableBytes { raw in
      let words = raw.bindMemory(to: UInt64.self)
      for i in words.indices { words[i] = rng.next() }
    }
    for first: [UInt8] in [[], [0x0a], [0x12, 0x05], [0x1f, 0x8b, 0x08, 0x00]] {
      var input = bytes
      input.replaceSubrange(0..<first.count, with: first)
      XCTAssertNotNil(loadError(input), "prefix \(first)")
    }
  }
}

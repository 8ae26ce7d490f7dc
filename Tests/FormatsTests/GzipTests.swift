import XCTest

@testable import Formats

final class GzipTests: XCTestCase {
  private let text = Array(String(repeating: "main;parse;scan 42\n", count: 5000).utf8)

  func testRoundTrip() throws {
    let gz = Gzip.compress(text)
    XCTAssertTrue(Gzip.isGzip(gz))
    XCTAssertLessThan(gz.count, text.count / 10)
    XCTAssertEqual(try Gzip.decompress(gz), text)
    XCTAssertEqual(try Gzip.decompress(Gzip.compress([])), [])
  }

  func testMultipleMembersConcatenate() throws {
    let a = Array("hello ".utf8)
    let b = Array("world".utf8)
    XCTAssertEqual(try Gzip.decompress(Gzip.compress(a) + Gzip.compress(b)), a + b)
  }

  func testTruncatedStream() {
    let gz = Gzip.compress(text)
    for cut in [3, 12, gz.count / 2, gz.count - 4, gz.count - 1] {
      XCTAssertThrowsError(try Gzip.decompress(Array(gz[..<cut])), "cut at \(cut)") { error in
        XCTAssertEqual(error as? FormatError, .truncatedGzip, "cut at \(cut)")
      }
    }
  }

  func testBadHeader() {
    var gz = Gzip.compress(text)
    gz[2] = 7  // compression method must be 8 (deflate)
    XCTAssertThrowsError(try Gzip.decompress(gz)) { XCTAssertEqual($0 as? FormatError, .badGzipHeader) }
    XCTAssertThrowsError(try Gzip.decompress(Array("plain".utf8))) {
      XCTAssertEqual($0 as? FormatError, .badGzipHeader)
    }
  }

  func testCorruptDataAndTrailingGarbage() {
    var gz = Gzip.compress(text)
    for i in 12..<40 { gz[i] ^= 0x5a }
    XCTAssertThrowsError(try Gzip.decompress(gz)) { error in
      guard case .corruptGzip? = error as? FormatError else { return XCTFail("\(error)") }
    }
    XCTAssertThrowsError(try Gzip.decompress(Gzip.compress(text) + [1, 2, 3])) { error in
      XCTAssertTrue("\(error)".contains("trailing data"), "\(error)")
    }
  }

  func testSizeLimit() {
    let zeros = Gzip.compress([UInt8](repeating: 0, count: 1 << 22))
    XCTAssertThrowsError(try Gzip.decompress(zeros, limit: 1 << 20)) {
      XCTAssertEqual($0 as? FormatError, .tooLarge(limit: 1 << 20))
    }
    XCTAssertEqual(try Gzip.decompress(zeros, limit: 1 << 22).count, 1 << 22)
  }
}

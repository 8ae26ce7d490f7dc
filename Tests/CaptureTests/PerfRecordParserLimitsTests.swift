import XCTest

@testable import Capture

/// Counts and sizes near 2^64 in a record (found by fuzzing: a call-chain count of 2^61 and
/// more trapped while the error message computed the size it needed) are truncation errors.
final class PerfRecordParserLimitsTests: XCTestCase {
  private func record(type: UInt32, words: [UInt64]) -> [UInt8] {
    var bytes: [UInt8] = []
    withUnsafeBytes(of: type.littleEndian) { bytes += $0 }
    withUnsafeBytes(of: UInt16(2).littleEndian) { bytes += $0 }
    withUnsafeBytes(of: UInt16(8 + words.count * 8).littleEndian) { bytes += $0 }
    for w in words { withUnsafeBytes(of: w.littleEndian) { bytes += $0 } }
    return bytes
  }

  private func assertTruncated(
    _ bytes: [UInt8], _ format: SampleFormat, needed: Int, file: StaticString = #filePath, line: UInt = #line
  ) {
    let parser = PerfRecordParser(format: format)
    let thrown = bytes.withUnsafeBytes { raw -> CaptureError? in
      do throws(CaptureError) {
        _ = try parser.parse(raw)
        return nil
      } catch {
        return error
      }
    }
    guard case .truncatedRecord(let type, let size, let n) = thrown else {
      return XCTFail("expected a truncated record, got \(String(describing: thrown))", file: file, line: line)
    }
    XCTAssertEqual(type, PerfRecordType.sample, file: file, line: line)
    XCTAssertEqual(size, bytes.count, file: file, line: line)
    XCTAssertEqual(n, needed, file: file, line: line)
  }

  func testHugeCallChainCountIsTruncation() {
    // ip, pid|tid, time, cpu|res, period, nr
    for nr: UInt64 in [.max, 1 << 61, UInt64(Int.max / 16) + 1] {
      assertTruncated(
        record(type: PerfRecordType.sample, words: [0x401000, 0x2a_0000_002a, 5, 1, 1000, nr]), .cpuSampling,
        needed: .max)
    }
    // A count just past the record still reports the exact size it needed.
    assertTruncated(
      record(type: PerfRecordType.sample, words: [0x401000, 0x2a_0000_002a, 5, 1, 1000, 3, 1, 2]), .cpuSampling,
      needed: 56 + 24)
  }

  func testHugeUserStackSizeIsTruncation() throws {
    let format = try SampleFormat(sampleType: [.ip, .stackUser])
    assertTruncated(record(type: PerfRecordType.sample, words: [0x401000, .max]), format, needed: .max)
    assertTruncated(record(type: PerfRecordType.sample, words: [0x401000, 1 << 62]), format, needed: 24 + (1 << 62))
  }
}

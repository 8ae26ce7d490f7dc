import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// The value rule at the file boundary (issue 20): folded counts are never negative and sum
/// below 2^62; pprof values of each sample type have |values| summing below 2^62. Inputs that
/// break it are load errors that name the line or the sample type, never a session that
/// traps later in top, tree, peek, list, heatmap, compare or export.
final class ValueRuleTests: XCTestCase {
  private func folded(_ text: String) throws(FormatError) -> Profile { try FoldedStacksReader.read(Array(text.utf8)) }

  private func foldedError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (Int, String)? {
    do {
      _ = try folded(text)
      XCTFail("read without error", file: file, line: line)
    } catch {
      if case .badFoldedLine(let n, let reason) = error { return (n, reason) }
      XCTFail("\(error)", file: file, line: line)
    }
    return nil
  }

  /// A pprof profile of one `cpu/nanoseconds` column with one sample per value, all on `main`.
  private func pprof(_ values: [Int64]) -> [UInt8] {
    func message(_ build: (inout ProtoWriter) -> Void) -> ProtoWriter {
      var w = ProtoWriter()
      build(&w)
      return w
    }
    var w = ProtoWriter()
    w.message(
      1,
      message {
        $0.int64(1, 1)
        $0.int64(2, 2)
      })
    for v in values {
      w.message(
        2,
        message {
          $0.int64(1, 1)
          $0.int64(2, v)
        })
    }
    w.message(
      4,
      message {
        $0.int64(1, 1)
        $0.message(4, message { $0.int64(1, 1) })
      })
    w.message(
      5,
      message {
        $0.int64(1, 1)
        $0.int64(2, 3)
      })
    for s in ["", "cpu", "nanoseconds", "main"] { w.string(6, s) }
    return w.bytes
  }

  func testFoldedNegativeCountsAreRejectedWithTheirLine() {
    // The fuzzer's reproducer: the two counts sum to Int64.min.
    let e = foldedError("a;b -9223372036854775807\na;b -1\n")
    XCTAssertEqual(e?.0, 1)
    XCTAssertEqual(e?.1, "negative count -9223372036854775807 (folded stacks hold sample counts)")
    XCTAssertEqual(foldedError("a;b 5\n# comment\nx -1\n")?.0, 3)
  }

  func testFoldedCountsSummingPastTheLimitNameTheLine() throws {
    let e = foldedError("a;b 9223372036854775807\na;c 1\n")
    XCTAssertEqual(e?.0, 1)
    XCTAssertEqual(e?.1, "the counts add up to 2^62 or more: not a valid profile")
    XCTAssertEqual(foldedError("a;b 4611686018427387903\n\na;c 1\n")?.0, 3)
    let atLimit = try folded("a;b 4611686018427387902\na;c 1\n")
    XCTAssertEqual(atLimit.total(column: 0), (1 << 62) - 1)
    XCTAssertEqual(try folded("a;b 0\n").total(column: 0), 0)
  }

  func testPprofValueOfInt64MinIsRejectedNamingTheSampleType() {
    XCTAssertThrowsError(try PprofDecoder.decode(pprof([Int64.min]))) { error in
      XCTAssertEqual(error as? FormatError, .valuesPastLimit(sampleType: ValueType(type: "cpu", unit: "nanoseconds")))
      XCTAssertEqual("\(error)", "sample values of cpu/nanoseconds add up to 2^62 or more: not a valid profile")
    }
  }

  func testPprofValuesSummingPastInt64MaxAreRejected() {
    XCTAssertThrowsError(try PprofDecoder.decode(pprof([Int64.max, 5])))
    XCTAssertThrowsError(try PprofDecoder.decode(pprof([1 << 61, -(1 << 61)])), "|values| count, not their sum")
    XCTAssertThrowsError(try ProfileLoader.load(bytes: pprof([1 << 62]), name: "big.pb")) { error in
      XCTAssertEqual(error as? FormatError, .valuesPastLimit(sampleType: ValueType(type: "cpu", unit: "nanoseconds")))
    }
  }

  func testPprofDifferenceProfilesUnderTheLimitLoad() throws {
    let p = try PprofDecoder.decode(pprof([-(1 << 61), (1 << 61) - 1]))
    XCTAssertEqual(p.samples.count, 2)
    XCTAssertEqual(p.total(column: 0), -1)
    XCTAssertNoThrow(try p.validate())
  }

  func testEncoderRefusesAProfilePastTheLimit() {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    b.addSample(rootFirstNames: ["main"], values: [Int64.max])
    XCTAssertThrowsError(try PprofEncoder.encode(b.build())) { error in
      XCTAssertEqual(
        error as? FormatError,
        .invalidProfile(.valuesPastLimit(sampleType: ValueType(type: "cpu", unit: "nanoseconds"))))
    }
  }
}

import Foundation
import FuzzTargets
import PerfshTestSupport
import XCTest

/// Seeded mutation of each target's committed seeds, thousands of cases per parser, through
/// the fuzz entry points (whose invariants trap on a half-valid result). Each case must end
/// in a value or an error with a message; the work a case produces (items) must stay
/// proportional to its size, and both outcomes must occur so mutations get past the checks.
final class ParserMutationTests: XCTestCase {
  private struct Tally {
    var accepted = 0
    var rejected = 0
  }

  private func seeds(_ target: FuzzTarget) throws -> [[UInt8]] {
    let dir = RegressionReplayTests.fuzzDirectory.appendingPathComponent("corpus").appendingPathComponent(
      target.rawValue)
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
    return try names.map { [UInt8](try Data(contentsOf: dir.appendingPathComponent($0))) }
  }

  /// Runs `rounds` mutants of the seeds of `target`; `itemsPerByte` bounds the items a
  /// mutant of n bytes may produce (`itemsPerByte * n + 16`).
  @discardableResult
  private func mutate(
    _ target: FuzzTarget, seed: UInt64, rounds: Int, itemsPerByte: Int = 1, dictionary: [String] = [],
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> Tally {
    let inputs = try seeds(target)
    XCTAssertFalse(inputs.isEmpty, file: file, line: line)
    var mutator = SeededMutator(seed: seed, dictionary: dictionary)
    var tally = Tally()
    for round in 0..<rounds {
      let input = mutator.mutate(inputs[round % inputs.count], others: inputs)
      switch target.run(input) {
      case .accepted(let items):
        XCTAssertLessThanOrEqual(
          items, itemsPerByte * input.count + 16, "\(target) round \(round)", file: file, line: line)
        tally.accepted += 1
      case .rejected(let message):
        XCTAssertFalse(message.isEmpty, "\(target) round \(round)", file: file, line: line)
        tally.rejected += 1
      }
    }
    return tally
  }

  private func assertBothOutcomes(_ t: Tally, min: Int, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertGreaterThanOrEqual(t.accepted, min, "accepted", file: file, line: line)
    XCTAssertGreaterThanOrEqual(t.rejected, min, "rejected", file: file, line: line)
  }

  func testHTTPResponseMutants() throws {
    let words = [
      "\r\n", "\r\n\r\n", "Transfer-Encoding: chunked\r\n", "Content-Length: ", "0\r\n\r\n", "ffffffff\r\n",
      "HTTP/1.1 ",
    ]
    assertBothOutcomes(try mutate(.httpResponse, seed: 14, rounds: 3000, dictionary: words), min: 50)
  }

  func testPprofMutants() throws {
    assertBothOutcomes(try mutate(.pprof, seed: 1, rounds: 3000), min: 50)
  }

  func testGzipAndSniffedProfileMutants() throws {
    // Most gzip mutants fail the CRC; the plain-text ones are what gets through.
    assertBothOutcomes(try mutate(.pprofGzip, seed: 2, rounds: 2000), min: 10)
  }

  func testFoldedMutants() throws {
    assertBothOutcomes(
      try mutate(.folded, seed: 3, rounds: 4000, dictionary: [";", " ", "\n", "\r\n", "-1", "9223372036854775807"]),
      min: 100)
  }

  func testChromeJSONMutants() throws {
    let dictionary = [
      "\"ph\":\"X\"", "\"ph\":\"B\"", "\"ph\":\"E\"", "\"dur\":-1", "1e308", "\"tid\":\"t\"", "[", "{", "\\u", ",",
    ]
    assertBothOutcomes(try mutate(.chromeJSON, seed: 15, rounds: 3000, dictionary: dictionary), min: 50)
  }

  func testPerfMapMutants() throws {
    // Never rejects: bad lines are skipped. Entries per byte are bounded by the shortest line.
    let t = try mutate(.perfMap, seed: 4, rounds: 4000, dictionary: ["0x", " ", "\n", "ffffffffffffffff", "\r"])
    XCTAssertEqual(t.accepted, 4000)
  }

  func testTracepointFormatMutants() throws {
    let t = try mutate(
      .tracepointFormat, seed: 21, rounds: 3000, dictionary: ["field:", ";", "\toffset:", "\tsize:", "-", "[16]", "\n"])
    // Rejected only when no field line survives: rare for mutants of whole format files.
    XCTAssertGreaterThan(t.accepted, 2000)
  }

  func testBTFMutants() throws {
    // Binary mutants of a small blob: most break the header or a record and are refused; the
    // rest still find task_struct's pid. None may crash or loop (nested anonymous members).
    assertBothOutcomes(try mutate(.btf, seed: 22, rounds: 3000), min: 50)
  }

  func testKallsymsMutants() throws {
    let t = try mutate(.kallsyms, seed: 5, rounds: 4000, dictionary: [" T ", " t ", "\t[", "\n", "0000000000000000"])
    XCTAssertEqual(t.accepted, 4000)
  }

  func testConfigMutants() throws {
    let t = try mutate(
      .config, seed: 6, rounds: 4000, dictionary: ["=", "\"", "'", "#", "\n", "\r\n", "freq", "color"])
    XCTAssertEqual(t.accepted, 4000)
  }

  func testTokenizerMutants() throws {
    let dictionary = ["'", "\"", "\\", "$", "${", "}", ";", "#", "@", "$1", "$HOME", " "]
    assertBothOutcomes(try mutate(.tokenizer, seed: 7, rounds: 4000, dictionary: dictionary), min: 100)
  }

  func testAssertParserMutants() throws {
    let dictionary = ["(", ")", ",", ".", "@", "%", "ms", "<", ">=", "==", "99999999999999999999", "self", "compare"]
    assertBothOutcomes(try mutate(.assert, seed: 8, rounds: 4000, dictionary: dictionary), min: 100)
  }

  func testPerfRecordMutants() throws {
    assertBothOutcomes(try mutate(.perfRecord, seed: 9, rounds: 4000), min: 100)
  }

  func testELFMutants() throws {
    assertBothOutcomes(try mutate(.elf, seed: 10, rounds: 1500, itemsPerByte: 1), min: 50)
  }

  func testCFIMutants() throws {
    let t = try mutate(.cfi, seed: 11, rounds: 3000)
    // Rows are found in unmutated regions of most mutants.
    XCTAssertGreaterThan(t.accepted, 1000)
  }

  func testDWARFMutants() throws {
    // Each case writes a file for libdw: fewer rounds.
    assertBothOutcomes(try mutate(.dwarf, seed: 12, rounds: 300), min: 20)
  }
}

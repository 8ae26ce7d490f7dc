import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

final class FoldedStacksTests: XCTestCase {
  private func read(_ text: String) throws -> Profile { try FoldedStacksReader.read(Array(text.utf8)) }

  /// Folded text as a map from stack to total, the meaning both sides must keep.
  private func stacks(_ text: String) -> [String: Int64] {
    var result: [String: Int64] = [:]
    for line in text.split(separator: "\n") {
      guard let space = line.lastIndex(of: " "), let n = Int64(line[line.index(after: space)...]) else { continue }
      result[String(line[..<space]), default: 0] += n
    }
    return result
  }

  func testReadsLinesRootFirst() throws {
    let p = try read("main;parse;scan 42\n\n# a comment\nmain;parse 8\r\nmain;parse;scan 1\n")
    XCTAssertEqual(p.sampleTypes, [ValueType(type: "samples", unit: "count")])
    XCTAssertEqual(p.samples.count, 3)
    XCTAssertEqual(p.functions.count, 3)
    let leafFirst = p.stacks.frames(leafFirst: p.samples.stacks[0]).map {
      p.name(of: p.locations[$0.index].lines[0].function)
    }
    XCTAssertEqual(leafFirst, ["scan", "parse", "main"])
    XCTAssertEqual(p.samples.stacks[0], p.samples.stacks[2])
    XCTAssertEqual(p.total(column: 0), 51)
    XCTAssertTrue(p.locations.allSatisfy { $0.address == 0 && $0.mapping == nil })
  }

  func testNamesWithSpacesKeepThem() throws {
    let p = try read("std::vector<int> foo(int, char);main 3\n")
    XCTAssertEqual(p.name(of: FunctionID(0)), "std::vector<int> foo(int, char)")
  }

  func testBadLinesNameTheLine() {
    for (text, line) in [("a;b 1\na;b\n", 2), ("a;b 1\n\nx;y 1.5\n", 3), (" 4\n", 1), ("a 99999999999999999999\n", 1)] {
      XCTAssertThrowsError(try read(text), text) { error in
        guard case .badFoldedLine(let n, _)? = error as? FormatError else { return XCTFail("\(error)") }
        XCTAssertEqual(n, line, text)
        XCTAssertTrue("\(error)".hasPrefix("folded stacks line \(line): "), "\(error)")
      }
    }
  }

  func testFoldedToPprofToFoldedKeepsStacksAndCounts() throws {
    let text = "main;parse;scan 42\nmain;parse 8\nmain;parse;scan 1\nmain;gc 7\nother 3\n"
    let viaPprof = try PprofDecoder.decode(try PprofEncoder.encode(try read(text)))
    let out = FoldedStacksWriter.write(viaPprof)
    XCTAssertEqual(stacks(out), stacks(text))
    XCTAssertEqual(out, "main;gc 7\nmain;parse 8\nmain;parse;scan 43\nother 3\n")
  }

  func testWriterExpandsInlinedLinesAndPicksColumn() {
    let p = FixtureProfiles.rich()
    let counts = stacks(FoldedStacksWriter.write(p, column: 0))
    // scan's location holds next inlined into scan: written scan;next (innermost last).
    XCTAssertEqual(counts["main.main;main.parse;main.scan;main.next"], 5)
    XCTAssertEqual(counts["main.main;main.parse;main.scan;main.next;memcpy"], 5)
    XCTAssertEqual(counts["main.main;0xdead"], 4)
    XCTAssertEqual(counts["main.main;main.parse;main.main"], 1)
    XCTAssertEqual(stacks(FoldedStacksWriter.write(p))["main.main;0xdead"], 40_000_000)
  }

  func testRandomProfileFoldedMatchesReferenceTotals() throws {
    let p = FixtureProfiles.random(seed: 9, samples: 500)
    let again = try read(FoldedStacksWriter.write(p, column: 0))
    XCTAssertEqual(again.total(column: 0), p.total(column: 0))
    XCTAssertEqual(FoldedStacksWriter.write(again), FoldedStacksWriter.write(p, column: 0))
  }
}

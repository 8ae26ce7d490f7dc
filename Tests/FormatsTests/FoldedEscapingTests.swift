import ProfileModel
import XCTest

@testable import Formats

/// Frame names that mean something in folded text must survive `export folded` → `load`.
final class FoldedEscapingTests: XCTestCase {
  /// Every sample as (root-first names, value), sorted: what a round trip must keep exactly.
  private func stacks(_ p: Profile) -> [String] {
    var merged: [[String]: Int64] = [:]
    for i in 0..<p.samples.count {
      let names = p.stacks.frames(leafFirst: p.samples.stacks[i]).reversed().flatMap { loc in
        p.locations[loc.index].lines.reversed().map { p.name(of: $0.function) }
      }
      merged[names, default: 0] += p.samples.value(i, 0)
    }
    return merged.map { "\($0.key.debugDescription) \($0.value)" }.sorted()
  }

  private func profile(_ samples: [([String], Int64)]) -> Profile {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    for (names, value) in samples { b.addSample(rootFirstNames: names, values: [value]) }
    return b.build()
  }

  func testHostileNamesRoundTripExactly() throws {
    let hostile = profile([
      (["main", "a;b"], 1),
      (["main", "x 123"], 1),
      (["main", "evil 2103\nfake"], 2),
      (["main", "tab\t"], 3),
      (["main", ""], 4),
      (["", "leaf"], 5),
      (["# not a comment", " lead", "trail ", "cr\r"], 6),
      (["%", "%41", "100%", "%%3B", "yaml%2ev3", "\u{1b}]0;pwned\u{07}"], 7),
    ])
    let text = FoldedStacksWriter.write(hostile)
    XCTAssertTrue(text.hasPrefix(FoldedNameEscaping.header + "\n"), text)
    XCTAssertEqual(text.split(separator: "\n").count, 9, "one header and one line per stack: \(text.debugDescription)")
    XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, text.debugDescription)
    let reloaded = try FoldedStacksReader.read(Array(text.utf8))
    XCTAssertEqual(stacks(reloaded), stacks(hostile))
    XCTAssertEqual(reloaded.total(column: 0), 29)
    XCTAssertTrue(text.contains("main;a%3Bb 1\n"), text)
    XCTAssertTrue(text.contains("main;evil 2103%0Afake 2\n"), text)
    XCTAssertTrue(text.contains("main;% 4\n"), text)
    XCTAssertTrue(text.contains("%23 not a comment;%20lead;trail%20;cr%0D 6\n"), text)
    XCTAssertTrue(text.contains("%25;%2541;100%;%%253B;yaml%252ev3;%1B]0%3Bpwned%07 7\n"), text)
  }

  func testOrdinaryNamesAreWrittenAsBeforeWithoutHeader() throws {
    let plain = profile([(["main", "std::vector<int> foo(int, char)", "yaml%2ev3", "50%"], 2)])
    let text = FoldedStacksWriter.write(plain)
    XCTAssertEqual(text, "main;std::vector<int> foo(int, char);yaml%2ev3;50% 2\n")
    XCTAssertEqual(stacks(try FoldedStacksReader.read(Array(text.utf8))), stacks(plain))
  }

  func testForeignFilesKeepPercentSequences() throws {
    let p = try FoldedStacksReader.read(Array("gopkg.in/yaml%2ev3.parse;a%3Bb 3\n".utf8))
    XCTAssertEqual(stacks(p), [#"["gopkg.in/yaml%2ev3.parse", "a%3Bb"] 3"#])
  }

  func testEscapedFileIsDetectedAsFoldedByTheLoader() throws {
    let text = FoldedStacksWriter.write(profile([(["a;b"], 2)]))
    let (p, format) = try ProfileLoader.loadDetectingFormat(bytes: Array(text.utf8), name: "x.folded")
    XCTAssertEqual(format, .folded(gzipped: false))
    XCTAssertEqual(stacks(p), [#"["a;b"] 2"#])
  }

  func testEscapeUnescapeIsExactOnTrickyPercents() {
    for name in ["%", "%%", "%4", "%41", "%%41", "%A;", "%2 ", "a%", "%G1", "é%C3%A9", "\u{7f}", "#", "a#"] {
      let escaped = FoldedNameEscaping.escape(name)
      let back = Array(escaped.utf8).withUnsafeBytes { FoldedNameEscaping.unescape($0) }
      XCTAssertEqual(back, name, "\(name.debugDescription) → \(escaped)")
    }
  }
}

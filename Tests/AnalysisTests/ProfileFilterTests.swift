import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

/// pprof's focus / ignore / hide on `ProfileFixtures.cpu()`; the total never changes.
final class ProfileFilterTests: XCTestCase {
  let ms: Int64 = 1_000_000

  func graph(focus: String? = nil, ignore: String? = nil, hide: String? = nil) throws -> [String: (Int64, Int64)] {
    let filter = try ProfileFilter(focus: focus, ignore: ignore, hide: hide)
    let g = try CallGraph(profile: ProfileFixtures.cpu(), options: GraphOptions(filter: filter))
    XCTAssertEqual(g.total, 1100 * ms, "percentages stay relative to the whole profile")
    var out: [String: (Int64, Int64)] = [:]
    for n in g.nodes { out[n.info.name] = (n.flat, n.cum) }
    return out
  }

  func testFocusKeepsSamplesThroughAMatchingFrame() throws {
    let v = try graph(focus: "line3001")
    XCTAssertEqual(Set(v.keys), ["main", "line3000", "line3001"])
    XCTAssertEqual(v["line3000"]?.0, 50 * ms)
    XCTAssertEqual(v["main"]?.1, 50 * ms)
  }

  func testFocusMatchesFileAndMappingNames() throws {
    let byFile = try graph(focus: "file2000")
    XCTAssertEqual(byFile["main"]?.1, 1010 * ms)
    let byMapping = try graph(focus: "libc\\.so")
    XCTAssertEqual(Set(byMapping.keys), ["main", "line1000", "memcpy"])
    XCTAssertEqual(byMapping["main"]?.1, 30 * ms)
  }

  func testIgnoreDropsSamplesThroughAMatchingFrame() throws {
    let v = try graph(ignore: "line1000")
    XCTAssertEqual(Set(v.keys), ["main", "line3000", "line3001", "line2000", "line2001"])
    XCTAssertEqual(v["main"]?.1, 70 * ms)
    XCTAssertEqual(v["line2001"]?.0, 10 * ms)
  }

  func testIgnoreWinsOverFocus() throws {
    let v = try graph(focus: "line3000", ignore: "line3001")
    XCTAssertEqual(v["line3000"]?.1, 1010 * ms)
    XCTAssertNil(v["line3001"])
  }

  func testHideRemovesFramesAndMovesFlatToTheCaller() throws {
    let v = try graph(hide: "line2001")
    XCTAssertNil(v["line2001"])
    XCTAssertEqual(v["line2000"]?.0, 10 * ms, "the hidden leaf's value is now flat in its caller")
    XCTAssertEqual(v["line2000"]?.1, 1010 * ms)
    XCTAssertEqual(v["line1000"]?.1, 1030 * ms)
  }

  func testHideByMappingRemovesWholeLocations() throws {
    let v = try graph(hide: "libc")
    XCTAssertNil(v["memcpy"])
    XCTAssertEqual(v["line1000"]?.0, 1030 * ms)
  }

  func testHidingEveryFrameOfASampleDropsIt() throws {
    let filter = try ProfileFilter(focus: nil, hide: "main")
    let g = try CallGraph(profile: ProfileFixtures.cpu(), options: GraphOptions(filter: filter))
    XCTAssertEqual(g.flatSum, 1090 * ms, "the sample with only main left")
  }

  func testBadRegexNamesTheOption() {
    XCTAssertThrowsError(try ProfileFilter(focus: "(unclosed")) { error in
      guard case .badRegex(let option, let pattern, _)? = error as? AnalysisError else { return XCTFail("\(error)") }
      XCTAssertEqual(option, "focus")
      XCTAssertEqual(pattern, "(unclosed")
    }
  }

  func testDescriptionLines() throws {
    let filter = try ProfileFilter(focus: "a", ignore: nil, hide: "b")
    XCTAssertEqual(filter.descriptionLines, ["Active filters:", "   focus=a", "   hide=b"])
    XCTAssertEqual(ProfileFilter.none.descriptionLines, [])
  }
}

/// Literal patterns take a fast path; its answers must equal the regex engine's.
final class NameMatcherTests: XCTestCase {
  func testLiteralAndRegexAgree() throws {
    let names = ["main", "main.parse", "github.com/x/y.(*T).Run", "", "ünïcode_fn", "parse"]
    for pattern in ["parse", "main", "ünï", "x/y", "", "nomatch"] {
      let m = try NameMatcher(pattern)
      for name in names {
        XCTAssertEqual(m.matches(name), name.contains(pattern) || pattern.isEmpty, "\(pattern) in \(name)")
      }
    }
    XCTAssertTrue(try NameMatcher("^main$").matches("main"))
    XCTAssertFalse(try NameMatcher("^main$").matches("main.parse"))
    XCTAssertTrue(try NameMatcher("\\(\\*T\\)").matches("github.com/x/y.(*T).Run"))
  }
}

/// The literal-prefix prefilter must never reject a name the regex matches.
final class NameMatcherPrefilterTests: XCTestCase {
  func testPrefilterAgreesWithPlainRegex() throws {
    let patterns = [
      "fn1[0-9]+$", "^main", "^main\\.", "ab?c", "abc*", "ab{0,2}c", "x+y", "fn(1|2)", "a|b", "(?i)MAIN",
      "pkg1[0-9]\\.", "ü?x", "line[23]00", "^$", "Method7$",
    ]
    var rng = SplitMix64(seed: 7)
    let alphabet = Array("abcxyMAINmain.fn0123789ü|()*")
    var names = ["main", "main.x", "abc", "ac", "abbc", "xy", "fn1", "fn12", "fn2", "MAIN", "", "üx", "x", "line200"]
    for _ in 0..<2000 {
      let n = Int(rng.next() % 10)
      names.append(String((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }))
    }
    for p in patterns {
      let m = try NameMatcher(p)
      let plain = try Regex(p).matchingSemantics(.unicodeScalar)
      for name in names {
        XCTAssertEqual(m.matches(name), name.contains(plain), "pattern \(p) on \(name)")
      }
    }
  }
}

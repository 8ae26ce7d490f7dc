import Foundation
import PerfshTestSupport
import XCTest

@testable import Symbolize

/// `--trace` pattern resolution against binaries built here, checked with binutils.
final class ProbeSiteTests: XCTestCase {
  private func buildC(_ fixtures: Fixtures) throws -> String {
    let source = try fixtures.write(
      "probe.c",
      """
      __attribute__((noinline)) int inner(int x) { return x * 3 + 1; }
      __attribute__((noinline)) int outer(int x) { return inner(x) + inner(x + 1); }
      __attribute__((noinline)) int outer_helper(int x) { return outer(x) - 1; }
      int main(int argc, char **argv) { (void)argv; return outer_helper(argc) & 1; }
      """)
    let binary = fixtures.path("probe")
    try fixtures.run("/usr/bin/gcc", ["-O1", "-g", "-o", binary, source])
    return binary
  }

  func testExecutableFunctionResolvesToItsFileOffsetAndSize() throws {
    let fixtures = try Fixtures()
    let binary = try buildC(fixtures)
    let sites = try ProbeSiteResolver(executable: binary).resolve(["^inner$"])
    XCTAssertEqual(sites.count, 1)
    let truth = try XCTUnwrap(try fixtures.symbols(binary)["inner"])
    let text = try fixtures.textSegment(binary)
    XCTAssertEqual(sites[0].name, "inner")
    XCTAssertEqual(sites[0].address, truth.address)
    XCTAssertEqual(sites[0].size, truth.size)
    XCTAssertEqual(sites[0].fileOffset, truth.address - text.vaddr + text.offset)
    XCTAssertFalse(sites[0].isGo)
    XCTAssertTrue(sites[0].path.hasPrefix("/"))
  }

  func testSeveralPatternsAreDeduplicated() throws {
    let fixtures = try Fixtures()
    let binary = try buildC(fixtures)
    let sites = try ProbeSiteResolver(executable: binary).resolve(["^outer", "^outer$", "inner"])
    XCTAssertEqual(Set(sites.map(\.name)), ["outer", "outer_helper", "inner"])
    XCTAssertEqual(sites.count, 3)
  }

  func testLibraryPrefixResolvesThroughDependencies() throws {
    let fixtures = try Fixtures()
    let binary = try buildC(fixtures)
    for prefix in ["libc.so.6", "libc.so"] {
      let sites = try ProbeSiteResolver(executable: binary).resolve(["\(prefix):^malloc$"])
      XCTAssertEqual(sites.map(\.name), ["malloc"], prefix)
      XCTAssertTrue(sites[0].path.contains("libc.so.6"), sites[0].path)
      XCTAssertGreaterThan(sites[0].fileOffset, 0)
    }
    XCTAssertEqual(TracePattern("^ns::f$"), TracePattern("^ns::f$"))
    XCTAssertNil(TracePattern("^ns::f$").library)
    XCTAssertEqual(TracePattern("libm.so.6:^sin$").library, "libm.so.6")
  }

  func testNoMatchSuggestsCloseNames() throws {
    let fixtures = try Fixtures()
    let binary = try buildC(fixtures)
    XCTAssertThrowsError(try ProbeSiteResolver(executable: binary).resolve(["^innr$"])) { error in
      guard case ProbeResolveError.noMatch(_, _, let suggestions) = error else { return XCTFail("\(error)") }
      XCTAssertEqual(suggestions.first, "inner")
      XCTAssertTrue("\(error)".contains("close names: inner"), "\(error)")
    }
  }

  func testTooManyMatchesNeedsAHigherLimit() throws {
    let fixtures = try Fixtures()
    let binary = try buildC(fixtures)
    XCTAssertThrowsError(try ProbeSiteResolver(executable: binary).resolve(["."], limit: 2)) { error in
      guard case ProbeResolveError.tooManyMatches(let count, 2) = error else { return XCTFail("\(error)") }
      XCTAssertGreaterThan(count, 2)
    }
    XCTAssertThrowsError(try ProbeSiteResolver(executable: binary).resolve(["(unclosed"])) { error in
      guard case ProbeResolveError.badPattern = error else { return XCTFail("\(error)") }
    }
  }

  func testGoBinariesAreDetected() throws {
    guard let go = GoToolchain.goPath else { throw XCTSkip("go is not installed") }
    let fixtures = try Fixtures()
    let source = try fixtures.write(
      "main.go",
      """
      package main

      //go:noinline
      func leaf(x int) int { return x*3 + 1 }

      func main() { println(leaf(2)) }
      """)
    let binary = fixtures.path("gobin")
    try fixtures.run(
      go, ["build", "-o", binary, source],
      environment: ["GOCACHE": fixtures.path("gocache"), "HOME": fixtures.directory.path])
    XCTAssertTrue(GoBinaryDetector.isGo(path: binary))
    let sites = try ProbeSiteResolver(executable: binary).resolve(["^main\\.leaf$"])
    XCTAssertEqual(sites.map(\.isGo), [true])
    XCTAssertFalse(GoBinaryDetector.isGo(path: try buildC(fixtures)))
  }
}

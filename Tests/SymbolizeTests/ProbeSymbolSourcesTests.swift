import Foundation
import XCTest

@testable import Symbolize

/// Probe sites come from every name the symbol tables give an address, as the tracer needs.
final class ProbeSymbolSourcesTests: XCTestCase {
  /// libc's `free` and `cfree` share one address: symbolization shows one name, but both are
  /// probe sites there, so `^free$` resolves (it used to land only on `cfree`).
  func testAliasesShareTheirAddressAsProbeSites() throws {
    let libc = try LibraryLocator(executable: "/bin/sh").locate("libc.so.6", executable: "/bin/sh")
    let sites = try ProbeSiteResolver.functions(in: libc)
    let free = try XCTUnwrap(sites.first { $0.name == "free" }, "free is a probe site")
    let cfree = try XCTUnwrap(sites.first { $0.name == "cfree" }, "cfree too")
    XCTAssertEqual(free.fileOffset, cfree.fileOffset)
    let resolved = try ProbeSiteResolver(executable: "/bin/sh").resolve(["libc.so.6:^free$"])
    XCTAssertEqual(resolved.map(\.name), ["free"])
  }
}

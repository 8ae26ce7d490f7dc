import Foundation
import XCTest

@testable import Symbolize

/// Binaries opened while the target runs: which ones, and that symbolizing uses them.
final class BinaryPrefetchTests: XCTestCase {
  func testPathsAreTheExecutableAndItsLibrariesAsTheKernelNamesThem() {
    let paths = BinaryPrefetch.paths(forExecutable: "/bin/sh")
    XCTAssertEqual(paths.first, "/usr/bin/dash", "symbolic links resolved: /bin/sh → dash")
    XCTAssertTrue(paths.contains { $0.hasSuffix("/libc.so.6") && !$0.hasPrefix("/lib/") }, "\(paths)")
    XCTAssertTrue(BinaryPrefetch.paths(forExecutable: "/nonexistent/binary").isEmpty)
  }

  func testPrefetchOpensWhatExistsAndSkipsTheRest() {
    let prefetch = BinaryPrefetch(paths: ["/usr/bin/dash", "/nonexistent"], debugRoots: [])
    let loaded = prefetch.wait()
    XCTAssertEqual(loaded.map(\.path), ["/usr/bin/dash"], "a missing file is skipped, not an error")
    XCTAssertFalse(loaded[0].image.buildID.isEmpty)
  }
}

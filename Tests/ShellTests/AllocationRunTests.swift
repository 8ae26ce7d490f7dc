import PerfshTestSupport
import XCTest

@testable import Shell

/// `run --alloc` flags and where the recorder library is found.
final class AllocationRunTests: XCTestCase {
  func testFlagsAreChecked() {
    let s = CapturedShell()
    XCTAssertEqual(s.runScript("run --alloc-rate 4096 /bin/true\n").exitStatus, 1)
    XCTAssertTrue(s.stderr.contains("--alloc-rate needs --alloc"), s.stderr)
    XCTAssertEqual(s.runScript("run --alloc --alloc-rate 0 /bin/true\n").exitStatus, 1)
    XCTAssertTrue(s.stderr.contains("--alloc-rate takes a number of bytes of at least 1"), s.stderr)
  }

  func testAMissingRecorderIsNamed() {
    let s = CapturedShell(environment: [
      "HOME": "/nonexistent", "PERFSH_ALLOC_LIBRARY": "/nonexistent/libperfsh-alloc.so",
    ])
    XCTAssertEqual(s.runScript("run --alloc /bin/true\n").exitStatus, 1)
    XCTAssertTrue(
      s.stderr.contains(
        "run --alloc: PERFSH_ALLOC_LIBRARY names /nonexistent/libperfsh-alloc.so, which is not a readable file"),
      s.stderr)
  }

  func testTheBuiltRecorderSitsNextToTheBinary() throws {
    let path = try AllocationRun.locate(environment: [:])
    XCTAssertTrue(path.hasSuffix("/libperfsh-alloc.so"), path)
  }
}

import XCTest

final class ShellSmokeTests: XCTestCase {
  func testTargetBuilds() { XCTAssertEqual(1 + 1, 2) }
}

import XCTest

final class FormatsSmokeTests: XCTestCase {
  func testTargetBuilds() { XCTAssertEqual(1 + 1, 2) }
}

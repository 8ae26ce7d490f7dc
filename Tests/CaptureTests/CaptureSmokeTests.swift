import XCTest

final class CaptureSmokeTests: XCTestCase {
  func testTargetBuilds() { XCTAssertEqual(1 + 1, 2) }
}

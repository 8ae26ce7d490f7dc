import XCTest

final class RenderSmokeTests: XCTestCase {
  func testTargetBuilds() { XCTAssertEqual(1 + 1, 2) }
}

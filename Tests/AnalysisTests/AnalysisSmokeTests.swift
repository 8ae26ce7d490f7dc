import XCTest

final class AnalysisSmokeTests: XCTestCase {
  func testTargetBuilds() { XCTAssertEqual(1 + 1, 2) }
}

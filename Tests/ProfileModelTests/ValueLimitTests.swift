import ProfileModel
import XCTest

/// The model's value rule (|values| of one sample type sum below 2^62) and the arithmetic
/// helpers that hold at the ends of Int64 instead of trapping.
final class ValueLimitTests: XCTestCase {
  private static let types = [ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds")]

  private func profile(_ values: [[Int64]]) -> Profile {
    var b = ProfileBuilder(sampleTypes: Self.types)
    for (i, v) in values.enumerated() { b.addSample(rootFirstNames: ["main", "f\(i)"], values: v) }
    return b.build()
  }

  func testSumStopsJustBelowTwoToThe62() {
    var s = ValueLimit.Sum()
    XCTAssertTrue(s.add((1 << 62) - 2))
    XCTAssertTrue(s.add(-1))
    XCTAssertEqual(s.magnitude, (1 << 62) - 1)
    XCTAssertFalse(s.add(1))
    XCTAssertFalse(s.add(0), "once past, the sum stays past")
    var m = ValueLimit.Sum()
    XCTAssertFalse(m.add(Int64.min), "Int64.min has magnitude 2^63")
    var n = ValueLimit.Sum()
    XCTAssertFalse(n.add(Int64.max))
  }

  func testFirstColumnPastLimitNamesTheColumn() {
    XCTAssertNil(ValueLimit.firstColumnPastLimit([1, (1 << 62) - 2, 1, 1], width: 2))
    XCTAssertEqual(ValueLimit.firstColumnPastLimit([1, (1 << 61), 1, -(1 << 61)], width: 2), 1)
    XCTAssertEqual(ValueLimit.firstColumnPastLimit([Int64.min, 0], width: 2), 0)
    XCTAssertNil(ValueLimit.firstColumnPastLimit([], width: 0))
  }

  func testValidateRejectsAColumnPastTheLimitAndKeepsDiffProfiles() throws {
    // A difference profile: negative values are fine while |values| stay under the limit.
    try profile([[1, -(1 << 61)], [1, (1 << 61) - 1]]).validate()
    XCTAssertThrowsError(try profile([[1, -(1 << 61)], [1, 1 << 61]]).validate()) { error in
      XCTAssertEqual(error as? ProfileError, .valuesPastLimit(sampleType: Self.types[1]))
      XCTAssertEqual(
        "\(error)", "sample values of cpu/nanoseconds add up to 2^62 or more: not a valid profile")
    }
    XCTAssertThrowsError(try profile([[Int64.min, 0]]).validate()) { error in
      XCTAssertEqual(error as? ProfileError, .valuesPastLimit(sampleType: Self.types[0]))
    }
    XCTAssertEqual(profile([[Int64.max, 0], [1, 0]]).sampleTypePastValueLimit(), Self.types[0])
  }

  func testClampingConversionFromDouble() {
    XCTAssertEqual(Int64(clampingRounded: 2.5), 3)
    XCTAssertEqual(Int64(clampingRounded: -2.5), -3)
    XCTAssertEqual(Int64(clampingRounded: 2.7, .towardZero), 2)
    XCTAssertEqual(Int64(clampingRounded: 0x1p63), .max)
    XCTAssertEqual(Int64(clampingRounded: 1e300), .max)
    XCTAssertEqual(Int64(clampingRounded: .infinity), .max)
    XCTAssertEqual(Int64(clampingRounded: -0x1p63), .min)
    XCTAssertEqual(Int64(clampingRounded: -1e300), .min)
    XCTAssertEqual(Int64(clampingRounded: .nan), 0)
    XCTAssertEqual(Int64(clampingRounded: 0x1p62), 1 << 62)
  }

  func testSaturatingAddition() {
    XCTAssertEqual(Int64.max.addingSaturating(1), .max)
    XCTAssertEqual(Int64.min.addingSaturating(-1), .min)
    XCTAssertEqual(Int64(-9_223_372_036_854_775_807).addingSaturating(-1), .min)
    XCTAssertEqual(Int64(-9_223_372_036_854_775_807).addingSaturating(-2), .min)
    XCTAssertEqual(Int64(40).addingSaturating(2), 42)
    XCTAssertEqual(Int64.max.addingSaturating(Int64.min), -1)
  }

  func testFunctionNameCountMergesRepeatedNames() {
    var b = ProfileBuilder(sampleTypes: Self.types)
    let a = b.function("main", file: "a.c")
    let c = b.function("main", file: "b.c")
    let d = b.function("work")
    for f in [a, c, d] { b.addSample(leafFirst: [b.location(function: f)], values: [1, 1]) }
    let p = b.build()
    XCTAssertEqual(p.functions.count, 3)
    XCTAssertEqual(p.functionNameCount, 2)
  }
}

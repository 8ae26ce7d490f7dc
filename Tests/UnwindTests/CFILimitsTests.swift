import XCTest

@testable import Symbolize

/// Edge values in CFI that trapped before (found by the cfi fuzz target): a signed LEB128
/// whose sign bit lands on bit 63, and DW_OP_abs of Int64.min.
final class CFILimitsTests: XCTestCase {
  func testSignedLEB128WithSignAtBit63() {
    // Nine bytes: 63 value bits, the last byte's 0x40 is the sign: -(2^62).
    let bytes: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]
    let value = bytes.withUnsafeBytes { raw -> Int64? in
      var r = CFIReader(raw)
      return r.sleb()
    }
    XCTAssertEqual(value, -(Int64(1) << 62))
    // Ten bytes reach past 64 bits: the high bits drop, no sign extension is possible.
    let long: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
    XCTAssertEqual(
      long.withUnsafeBytes { raw -> Int64? in
        var r = CFIReader(raw)
        return r.sleb()
      }, -1)
  }

  func testAbsOfInt64MinIsItsMagnitude() {
    // DW_OP_const8s Int64.min, DW_OP_abs.
    let e = CFIExpression(bytes: [0x0f, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x19])
    XCTAssertEqual(e.evaluate(initial: nil, register: { _ in nil }, memory: { _ in nil }), 1 << 63)
  }
}

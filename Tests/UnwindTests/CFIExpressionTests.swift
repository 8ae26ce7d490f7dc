import Symbolize
import XCTest

/// CFI expressions as real binaries use them.
final class CFIExpressionTests: XCTestCase {
  /// The CFA expression GNU ld emits for `.plt` entries:
  /// rsp + 8 + ((rip & 15) >= 11 ? 8 : 0).
  func testPLTCFAExpression() {
    let e = CFIExpression(bytes: [0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22])
    let rsp: UInt64 = 0x7ffd_0000_1000
    for (rip, extra) in [(0x1020 as UInt64, 0 as UInt64), (0x102a, 0), (0x102b, 8), (0x102f, 8)] {
      let v = e.evaluate(initial: nil, register: { r in r == 7 ? rsp : r == 16 ? rip : nil }, memory: { _ in nil })
      XCTAssertEqual(v, rsp + 8 + extra, "rip 0x\(String(rip, radix: 16))")
    }
  }

  /// __restore_rt's rules: `DW_OP_breg7 160; DW_OP_deref` (the saved rsp in the ucontext)
  /// reads memory; a register the sample lacks or memory outside the copy gives nil.
  func testDerefAndMissingInputs() {
    let e = CFIExpression(bytes: [0x77, 0xa0, 0x01, 0x06])
    let rsp: UInt64 = 0x1000
    let saved: UInt64 = 0xdead_beef
    XCTAssertEqual(
      e.evaluate(initial: nil, register: { $0 == 7 ? rsp : nil }, memory: { $0 == rsp + 160 ? saved : nil }), saved)
    XCTAssertNil(e.evaluate(initial: nil, register: { _ in nil }, memory: { _ in saved }))
    XCTAssertNil(e.evaluate(initial: nil, register: { $0 == 7 ? rsp : nil }, memory: { _ in nil }))
  }

  /// Register rules get the CFA pushed first: `DW_OP_lit8; DW_OP_minus` is CFA - 8.
  func testInitialValueIsPushed() {
    let e = CFIExpression(bytes: [0x38, 0x1c])
    XCTAssertEqual(e.evaluate(initial: 100, register: { _ in nil }, memory: { _ in nil }), 92)
    XCTAssertNil(e.evaluate(initial: nil, register: { _ in nil }, memory: { _ in nil }), "stack underflow")
  }

  /// Operations outside CFI's subset are refused rather than guessed.
  func testUnknownOperationFails() {
    XCTAssertNil(CFIExpression(bytes: [0xe0]).evaluate(initial: 1, register: { _ in nil }, memory: { _ in nil }))
  }
}

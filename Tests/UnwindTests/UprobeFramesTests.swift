import Capture
import XCTest

@testable import Unwind

/// Restoring the return addresses that pending uretprobes replaced with their trampoline, from
/// the kernel's fixed-up user call chain, and stepping out of a single-step slot.
final class UprobeFramesTests: XCTestCase {
  static let trampoline: UInt64 = 0x7fff_ffff_e000

  /// A stack copy at 0x1000 with a frame-pointer chain 0x1010 → 0x1030 → 0x1050 whose return
  /// slots hold the trampoline, 0x400500 and the trampoline again.
  private func withStack(_ body: (StackCopy, RegisterFile) -> Void) {
    var words = [UInt64](repeating: 0, count: 16)
    words[2] = 0x1030
    words[3] = Self.trampoline
    words[6] = 0x1050
    words[7] = 0x400500
    words[10] = 0
    words[11] = Self.trampoline
    words[0] = 0x400abc  // [rsp]: a return address for the slot step
    words.withUnsafeBytes { bytes in
      var regs = RegisterFile()
      regs[RegisterFile.sp] = 0x1000
      regs[RegisterFile.fp] = 0x1010
      regs[RegisterFile.ip] = Self.trampoline + 0x80
      body(StackCopy(bytes: bytes, base: 0x1000), regs)
    }
  }

  private func originals(_ chain: [UInt64]) -> [UInt64] {
    var out: [UInt64] = []
    withStack { stack, regs in
      chain.withUnsafeBytes { raw in
        out = UprobeFrames.originals(
          chain: RawWords(raw), registers: regs, stack: stack, trampoline: Self.trampoline)
      }
    }
    return out
  }

  func testTrampolinesGetTheKernelsOriginalsInOrder() {
    let chain = [PerfContext.kernel, 0xffff_ffff_8100_0000, PerfContext.user, 0x400010, 0x400100, 0x400500, 0x400900]
    XCTAssertEqual(originals(chain), [0x400100, 0x400900])
  }

  func testAWordTheKernelAddsAtAProbedEntryIsSkipped() {
    // Linux adds [rsp] after the IP for a sample at a probed function's first instruction.
    let chain = [PerfContext.user, 0x400010, 0x400777, 0x400100, 0x400500, 0x400900]
    XCTAssertEqual(originals(chain), [0x400100, 0x400900])
  }

  func testAChainThatDoesNotMatchTheCopyGivesNothing() {
    XCTAssertEqual(originals([PerfContext.user, 0x400010, 0x400100, 0x400666, 0x400900]), [])
    XCTAssertEqual(originals([PerfContext.kernel, 0xffff_ffff_8100_0000]), [])
    // A kernel without the fix-up leaves the trampolines: nothing to restore.
    XCTAssertEqual(originals([PerfContext.user, 0x400010, Self.trampoline, 0x400500, Self.trampoline]), [])
  }

  func testASingleStepSlotReturnsToTheAddressAtTheStackPointer() throws {
    withStack { stack, regs in
      let next = UprobeFrames.slotStep(registers: regs, stack: stack)
      XCTAssertEqual(next?[RegisterFile.ip], 0x400abc)
      XCTAssertEqual(next?[RegisterFile.sp], 0x1008)
      XCTAssertEqual(next?[RegisterFile.fp], 0x1010)
    }
  }
}

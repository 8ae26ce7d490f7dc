import Foundation
import PerfshTestSupport
import XCTest

@testable import Symbolize

/// Probe placement on hand-assembled function starts (decoded by Zydis), and on a
/// -fcf-protection build of a real compiler's output.
final class ProbePlacementTests: XCTestCase {
  private let start: UInt64 = 0x1000

  private func place(_ bytes: [UInt8], returns: Bool = true) -> ProbePlacement {
    bytes.withUnsafeBytes {
      ProbePlacement.place(code: $0, start: start, size: UInt64(bytes.count), keepsReturnAddress: returns)
    }
  }

  // Encodings: endbr64 f3 0f 1e fa; push %rbp 55; mov %rsp,%rbp 48 89 e5; pop %rbp 5d; ret c3;
  // mov 0x10(%rip),%rax 48 8b 05 10 00 00 00; sub $8,%rsp 48 83 ec 08; mov %rdi,%rax 48 89 f8.
  private let endbr: [UInt8] = [0xf3, 0x0f, 0x1e, 0xfa]
  private let pushRBP: [UInt8] = [0x55]
  private let movRSPRBP: [UInt8] = [0x48, 0x89, 0xe5]
  private let epilogue: [UInt8] = [0x5d, 0xc3]
  private let movRIP: [UInt8] = [0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00]
  private let subRSP: [UInt8] = [0x48, 0x83, 0xec, 0x08]
  private let movRDI: [UInt8] = [0x48, 0x89, 0xf8]

  func testDecoderReportsTheFactsPlacementNeeds() throws {
    let bytes = endbr + pushRBP + movRIP + [0xeb, 0xfe]  // … jmp to itself
    let insns = bytes.withUnsafeBytes { X86Decoder.decodeAll($0, address: start) }
    XCTAssertEqual(insns.map(\.length), [4, 1, 7, 2])
    XCTAssertEqual(
      insns.map(\.text), ["endbr64", "push %rbp", "mov 0x000000000000101C, %rax", "jmp 0x000000000000100C"])
    XCTAssertTrue(insns[0].isEndbr64)
    XCTAssertTrue(insns[1].isEmulated)
    XCTAssertTrue(insns[1].writesStack)
    XCTAssertTrue(insns[2].isRIPRelative)
    XCTAssertFalse(insns[2].isEmulated)
    XCTAssertTrue(insns[3].isBranch)
    XCTAssertEqual(insns[3].target, start + 12)
  }

  func testProbeSkipsEndbr64OntoThePush() {
    let p = place(endbr + pushRBP + movRSPRBP + epilogue)
    XCTAssertEqual(p.offset, 4)
    XCTAssertEqual(p.instruction, "push %rbp")
    XCTAssertEqual(p.kind, .emulated)
    XCTAssertTrue(p.reason.contains("after endbr64"), p.reason)
  }

  func testFirstPushStaysAtTheEntry() {
    let p = place(pushRBP + movRSPRBP + epilogue)
    XCTAssertEqual(p.offset, 0)
    XCTAssertEqual(p.kind, .emulated)
  }

  func testRIPRelativeFirstInstructionIsSkippedForAPushBehindIt() {
    let p = place(movRIP + pushRBP + movRSPRBP + epilogue)
    XCTAssertEqual(p.offset, 7)
    XCTAssertEqual(p.kind, .emulated)
  }

  func testABranchTargetRightAfterEndbr64KeepsTheProbeAtTheEntry() {
    // endbr64; push %rbp; pop %rbp; jmp back to +4: +4 runs once per loop turn, not per call.
    let p = place(endbr + pushRBP + [0x5d, 0xeb, 0xfc] + [0xc3])
    XCTAssertEqual(p.offset, 0)
    XCTAssertTrue(p.reason.contains("no instruction after endbr64"), p.reason)
  }

  func testNothingAfterAStackWriteWhenAReturnProbeSharesTheSite() {
    // sub $8,%rsp moves the return address: the push behind it is not a candidate.
    let bytes = endbr + subRSP + movRDI + pushRBP + epilogue
    let withReturn = place(bytes)
    XCTAssertEqual(withReturn.offset, 4)
    XCTAssertEqual(withReturn.kind, .singleStepped)
    // Entry-only probes (Go) need no return address: the push is fine.
    let entryOnly = place(bytes, returns: false)
    XCTAssertEqual(entryOnly.offset, 11)
    XCTAssertEqual(entryOnly.kind, .emulated)
  }

  func testNothingPastTheFirstBranch() {
    // endbr64; mov %rdi,%rax; jz +1; push %rbp …: the jz (emulated) is the last candidate.
    let p = place(endbr + movRDI + [0x74, 0x01] + pushRBP + epilogue)
    XCTAssertEqual(p.offset, 7)
    XCTAssertEqual(p.instruction.hasPrefix("jz"), true, p.instruction)
  }

  func testUnknownSizeKeepsTheEntry() {
    let bytes = endbr + pushRBP + epilogue
    let p = bytes.withUnsafeBytes { ProbePlacement.place(code: $0, start: start, size: 0, keepsReturnAddress: true) }
    XCTAssertEqual(p.offset, 0)
  }

  func testResolverPlacesProbesOfACETBuildAfterEndbr64() throws {
    let fixtures = try Fixtures()
    let source = try fixtures.write(
      "cet.c",
      """
      __attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }
      __attribute__((noinline)) int inner(int x) { keep_frame(); return x * 3 + 1; }
      int main(int argc, char **argv) { (void)argv; return inner(argc) & 1; }
      """)
    let binary = fixtures.path("cet")
    try fixtures.run("/usr/bin/gcc", ["-O1", "-fno-omit-frame-pointer", "-fcf-protection=full", "-o", binary, source])
    let site = try XCTUnwrap(try ProbeSiteResolver(executable: binary).resolve(["^inner$"]).first)
    let placement = try XCTUnwrap(site.placement)
    XCTAssertEqual(placement.offset, 4, placement.reason)
    XCTAssertEqual(placement.instruction, "push %rbp")
    XCTAssertEqual(site.probeFileOffset, site.fileOffset + 4)
  }
}

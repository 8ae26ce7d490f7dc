import Capture
import Foundation
import PerfshTestSupport
import ProfileModel
import Unwind
import XCTest

/// Ground truth for DWARF unwinding: the real sampler on real processes built without
/// frame pointers, compared with frame-pointer call chains on the same binaries.
final class DWARFUnwindingTests: XCTestCase {
  /// ratio_nofp: with DWARF, every hot function's samples have callers up to main and
  /// _start; with frame pointers most of them lose main.
  func testRatioNoFramePointersCumReachesMainOnlyWithDWARF() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("ratio_nofp")
    let (dwarfProfile, dwarf) = try UnwindWorkloads.capture([bin], callGraph: .dwarf(stackBytes: 16384))
    let (_, fp) = try UnwindWorkloads.capture([bin], callGraph: .framePointer)
    for hot in ["hot60", "warm30", "cool10"] {
      let isHot = { (s: UnwindWorkloads.Stack) in s.names.contains(hot) }
      let reaches = { (s: UnwindWorkloads.Stack) -> Bool in
        guard let h = s.names.firstIndex(of: hot), let m = s.names.firstIndex(of: "main") else { return false }
        return m > h && s.names.last == "_start"
      }
      let (withDWARF, cpu) = UnwindWorkloads.share(dwarf, of: isHot, satisfying: reaches)
      XCTAssertGreaterThan(cpu, 0, "\(hot) sampled")
      XCTAssertGreaterThanOrEqual(withDWARF, 0.99, "\(hot): share of its samples whose stack reaches main and _start")
      let (withFP, _) = UnwindWorkloads.share(fp, of: isHot, satisfying: reaches)
      XCTAssertLessThan(withFP, 0.5, "frame pointers on -fomit-frame-pointer code lose main (\(hot): \(withFP))")
    }
    XCTAssertTrue(dwarfProfile.run.notes.contains { $0.hasPrefix("call graph: dwarf") }, "\(dwarfProfile.run.notes)")
    let summary = try XCTUnwrap(dwarfProfile.run.notes.first { $0.hasPrefix("unwound stacks:") })
    XCTAssertTrue(dwarfProfile.run.notes.contains { $0.contains("ratio_nofp:") && $0.contains("complete") }, summary)
  }

  /// deepchain: the 10-frame chain (one frame inlined) through libdeepchain.so is intact in ≥ 99 % of the
  /// samples in its leaf with DWARF, and broken with frame pointers.
  func testDeepChainThroughSharedLibraryIsIntact() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("deepchain")
    let chain = [
      "lib_spin", "lib_level3", "lib_level2", "lib_level1", "chain_d", "via_inline", "chain_c", "chain_b", "chain_a",
      "main",
    ]
    let intact = { (s: UnwindWorkloads.Stack) -> Bool in
      guard let leaf = s.names.firstIndex(of: "lib_spin") else { return false }
      return Array(s.names[leaf...].prefix(chain.count)) == chain
    }
    let inLeaf = { (s: UnwindWorkloads.Stack) in s.names.contains("lib_spin") }
    let (_, dwarf) = try UnwindWorkloads.capture([bin], callGraph: .dwarf(stackBytes: 16384))
    let (dwarfShare, cpu) = UnwindWorkloads.share(dwarf, of: inLeaf, satisfying: intact)
    XCTAssertGreaterThan(cpu, 300_000_000, "lib_spin sampled for most of the run")
    XCTAssertGreaterThanOrEqual(dwarfShare, 0.99)
    let (_, fp) = try UnwindWorkloads.capture([bin], callGraph: .framePointer)
    let (fpShare, _) = UnwindWorkloads.share(fp, of: inLeaf, satisfying: intact)
    XCTAssertLessThan(fpShare, 0.5, "frame pointers cannot walk this chain")
  }

  /// sigchain: stacks in a signal handler unwind through the kernel's signal frame
  /// (__restore_rt) to the interrupted code and on to main.
  func testUnwindsThroughSignalFrames() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("sigchain")
    let (_, stacks) = try UnwindWorkloads.capture([bin], callGraph: .dwarf(stackBytes: 16384))
    let (share, cpu) = UnwindWorkloads.share(stacks, of: { $0.names.contains("sig_work") }) { s in
      guard let handler = s.names.firstIndex(of: "on_signal"), let loop = s.names.firstIndex(of: "signal_loop"),
        let main = s.names.firstIndex(of: "main")
      else { return false }
      return handler < loop && loop < main && s.names.last == "_start"
    }
    XCTAssertGreaterThan(cpu, 0)
    XCTAssertGreaterThanOrEqual(share, 0.99, "handler stacks reach signal_loop and main through the signal frame")
  }

  /// An optimized C++ program (g++ -O2, no frame pointers, std::sort, std::function): stacks reach main.
  func testOptimizedCxxStacksReachMain() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("cxxchain")
    guard FileManager.default.fileExists(atPath: bin) else { throw XCTSkip("g++ not installed") }
    let (_, stacks) = try UnwindWorkloads.capture([bin], callGraph: .dwarf(stackBytes: 16384))
    let (share, cpu) = UnwindWorkloads.share(stacks, of: { $0.names.contains { $0.hasPrefix("work::") } }) { s in
      s.names.contains("main") && s.names.last == "_start"
    }
    XCTAssertGreaterThan(cpu, 100_000_000)
    XCTAssertGreaterThanOrEqual(share, 0.98)
    // The recursion of std::__introsort_loop shows as nested frames, as it really runs.
    XCTAssertTrue(stacks.contains { s in s.names.filter { $0.contains("__introsort_loop") }.count >= 3 })
  }

  /// An optimized Swift program (swiftc -O): stacks through a generic specialization reach main.
  func testOptimizedSwiftStacksReachMain() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("swiftchain")
    guard FileManager.default.fileExists(atPath: bin) else { throw XCTSkip("swiftc not on PATH") }
    let (_, stacks) = try UnwindWorkloads.capture([bin], callGraph: .dwarf(stackBytes: 16384))
    let (share, cpu) = UnwindWorkloads.share(stacks, of: { $0.names.contains { $0.hasPrefix("swiftchain.spin") } }) {
      s in
      guard let spin = s.names.firstIndex(where: { $0.hasPrefix("swiftchain.spin") }),
        let run = s.names.firstIndex(where: { $0.contains("swiftchain.Worker.run") }),
        let main = s.names.firstIndex(of: "main")
      else { return false }
      return spin < run && run < main && s.names.last == "_start"
    }
    XCTAssertGreaterThan(cpu, 100_000_000)
    XCTAssertGreaterThanOrEqual(share, 0.99)
  }

  /// A stripped binary (no symbols, no DWARF, only .eh_frame) still unwinds: frames are
  /// named binary+0xOFFSET and stacks reach libc's start code.
  func testStrippedBinaryUnwindsWithEHFrameOnly() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("ratio_nofp_stripped")
    let (p, stacks) = try UnwindWorkloads.capture([bin], callGraph: .dwarf(stackBytes: 16384))
    let (share, cpu) = UnwindWorkloads.share(
      stacks, of: { $0.names.first?.hasPrefix("ratio_nofp_stripped+0x") == true }
    ) {
      s in
      s.names.contains("__libc_start_call_main") && s.names.last?.hasPrefix("ratio_nofp_stripped+0x") == true
        && s.names.count >= 4
    }
    XCTAssertGreaterThan(cpu, 500_000_000)
    XCTAssertGreaterThanOrEqual(share, 0.99, "stacks: \(stacks.prefix(3).map(\.names))")
    XCTAssertFalse(p.run.notes.contains { $0.contains("ratio_nofp_stripped:") && !$0.contains(" 0 truncated") })
  }

  /// `auto` copies stacks when any binary of the program lacks frame pointers: for
  /// ratio_nofp because of itself, for ratio (built with them) because of libc; and says so.
  func testAutoChoosesFromTheProgramsBinaries() throws {
    try PerfEvents.skipUnlessAvailable()
    let nofp = try UnwindWorkloads.binary("ratio_nofp")
    let withFP = try UnwindWorkloads.binary("ratio")
    XCTAssertTrue(DWARFUnwinding().prefersDWARF(executable: nofp))
    XCTAssertFalse(DWARFUnwinding().prefersDWARF(executable: withFP))
    let survey = DWARFUnwinding().survey(executable: withFP)
    XCTAssertEqual(survey.checked.first, withFP)
    XCTAssertTrue(survey.checked.contains { $0.hasSuffix("/libc.so.6") }, "\(survey.checked)")
    XCTAssertFalse(survey.executableLacks)
    let (p, _) = try UnwindWorkloads.capture([withFP, "0"], callGraph: .auto)
    XCTAssertTrue(
      p.run.notes.contains { $0.hasPrefix("call graph: dwarf") && $0.contains("libc.so.6") }, "\(p.run.notes)")
    let (q, _) = try UnwindWorkloads.capture([nofp, "0"], callGraph: .auto)
    XCTAssertTrue(
      q.run.notes.contains { $0.hasPrefix("call graph: dwarf") && $0.contains("auto: ratio_nofp") }, "\(q.run.notes)")
  }

  /// A `#!` script is judged by its interpreter.
  func testScriptIsSurveyedThroughItsInterpreter() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "perfsh-survey-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let script = dir.appendingPathComponent("s.sh")
    try "#!/usr/bin/env sh\necho hi\n".write(to: script, atomically: true, encoding: .utf8)
    let survey = DWARFUnwinding().survey(executable: script.path)
    XCTAssertTrue(survey.checked.first?.hasSuffix("/sh") == true, "\(survey.checked)")
  }
}

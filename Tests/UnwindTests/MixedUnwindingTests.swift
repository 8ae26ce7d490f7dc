import Capture
import Foundation
import PerfshTestSupport
import Unwind
import XCTest

/// Per-binary, per-frame unwinding on real programs nobody here wrote the runtime of: a Go
/// program behind `sh -c`, node's JIT code, Python's perf trampolines and stacks deeper
/// than a copy. `auto` copies stacks because `sh`/`node`/libc lack frame pointers; frames
/// whose code has no CFI (Go, JIT code, V8 builtins) are stepped with frame pointers.
final class MixedUnwindingTests: XCTestCase {
  private func goProgram() throws -> String {
    guard let go = GoToolchain.goPath else { throw XCTSkip("go is not installed") }
    let dir = try GoToolchain.temporaryDirectory("mixed-go")
    try MixedProgramSources.build(
      MixedProgramSources.go, file: "main.go", in: dir, [go, "build", "-o", "gohot", "FILE"])
    return dir.appendingPathComponent("gohot").path
  }

  /// A Go program started through `sh -c`: the choice is no longer made for `sh` alone, and
  /// ≥ 95 % of hot's samples reach main.main (as the kernel's frame-pointer walk does).
  func testGoProgramThroughShellReachesMain() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try goProgram()
    let (p, stacks) = try UnwindWorkloads.capture(["/bin/sh", "-c", "\(bin) 600; true"], callGraph: .auto)
    let inHot = { (s: UnwindWorkloads.Stack) in s.names.contains("main.hot") }
    let (share, cpu) = UnwindWorkloads.share(stacks, of: inHot) { s in
      guard let hot = s.names.firstIndex(of: "main.hot"), let main = s.names.firstIndex(of: "main.main") else {
        return false
      }
      return hot < main && s.names.contains("main.outer") && s.names.last == "runtime.goexit.abi0"
    }
    XCTAssertGreaterThan(cpu, 100_000_000, "main.hot sampled")
    XCTAssertGreaterThanOrEqual(share, 0.95, "share of main.hot's samples reaching main.main")
    let (fpProfile, fpStacks) = try UnwindWorkloads.capture(
      ["/bin/sh", "-c", "\(bin) 600; true"], callGraph: .framePointer)
    let (fpShare, _) = UnwindWorkloads.share(fpStacks, of: inHot) { $0.names.contains("main.main") }
    XCTAssertGreaterThanOrEqual(share, fpShare - 0.02, "as good as frame pointers (\(fpShare))")
    XCTAssertTrue(p.run.notes.contains { $0.hasPrefix("call graph: dwarf") && $0.contains("auto: ") }, "\(p.run.notes)")
    XCTAssertTrue(p.run.notes.contains { $0.contains("gohot: frame pointers, ") }, "\(p.run.notes)")
    XCTAssertTrue(p.run.notes.contains { $0.hasPrefix("  completed with: ") }, "\(p.run.notes)")
    // Forcing fp on sh (no frame pointers) is warned about.
    XCTAssertTrue(
      fpProfile.run.notes.contains { $0.hasPrefix("--call-graph fp: sh lacks frame pointers") },
      "\(fpProfile.run.notes)")
  }

  /// node --perf-basic-prof: callers of the hot JS function reach the top-level script in
  /// ≥ 90 % of its samples (JIT code and V8 builtins have no CFI: frame pointers there).
  func testNodeJITCallersReachTopLevelScript() throws {
    try PerfEvents.skipUnlessAvailable()
    guard let node = MixedProgramSources.onPath(["node", "nodejs"]) else { throw XCTSkip("node is not installed") }
    let dir = try GoToolchain.temporaryDirectory("mixed-node")
    let script = dir.appendingPathComponent("app.js")
    try MixedProgramSources.javaScript.write(to: script, atomically: true, encoding: .utf8)
    // Interpreted frames get their own perf-map entries only with the second flag (as for perf).
    let (p, stacks) = try UnwindWorkloads.capture(
      [node, "--perf-basic-prof", "--interpreted-frames-native-stack", script.path, "1200"], callGraph: .auto,
      workingDirectory: dir.path)  // node leaves isolate-*-v8.log files in its working directory
    let hot = { (name: String) in name.hasPrefix("JS:") && name.contains("hot \(script.path):") }
    let topLevel = { (name: String) in name.hasPrefix("JS:") && name.hasSuffix(" \(script.path):1:1") }
    let (share, cpu) = UnwindWorkloads.share(stacks, of: { $0.names.contains(where: hot) }) { s in
      guard let h = s.names.firstIndex(where: hot), let top = s.names.firstIndex(where: topLevel),
        let outer = s.names.firstIndex(where: { $0.hasPrefix("JS:") && $0.contains("outer \(script.path):") })
      else { return false }
      return h < outer && outer < top
    }
    XCTAssertGreaterThan(cpu, 100_000_000, "the hot JS function sampled: \(stacks.prefix(3).map(\.names))")
    XCTAssertGreaterThanOrEqual(share, 0.90, "share of hot's samples whose callers reach the top-level script")
    XCTAssertTrue(p.run.notes.contains { $0.contains(".map: frame pointers, ") }, "\(p.run.notes)")
    XCTAssertTrue(p.run.notes.contains { $0.contains("node: CFI + frame pointers") }, "\(p.run.notes)")
  }

  /// python3 -X perf (3.12+): the trampolines of Python functions appear in the stacks of the
  /// hot function up to the module. They have no CFI and (in a build without frame pointers,
  /// like pyenv's) no frame: their return address is found by a short stack scan.
  func testPythonPerfTrampolinesAppearInStacks() throws {
    try PerfEvents.skipUnlessAvailable()
    let dir = try GoToolchain.temporaryDirectory("mixed-py")
    var candidates = ["python3", "python3.13", "python3.12"].compactMap { MixedProgramSources.onPath([$0]) }
    let pyenv = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".pyenv/versions").path
    for version in ((try? FileManager.default.contentsOfDirectory(atPath: pyenv)) ?? []).sorted().reversed() {
      candidates.append("\(pyenv)/\(version)/bin/python3")
    }
    let python = candidates.first { candidate in
      guard FileManager.default.isExecutableFile(atPath: candidate) else { return false }
      let out = try? GoToolchain.run([candidate, "-c", "import sys; print(sys.version_info >= (3, 12))"], in: dir)
      return out?.hasPrefix("True") == true
    }
    guard let python else {
      throw XCTSkip("no Python 3.12 or newer (\(candidates.joined(separator: ", "))): no -X perf trampolines")
    }
    let script = dir.appendingPathComponent("app.py")
    try MixedProgramSources.python.write(to: script, atomically: true, encoding: .utf8)
    let (_, stacks) = try UnwindWorkloads.capture(
      [python, "-X", "perf", script.path, "1.2"], callGraph: .auto, workingDirectory: dir.path)
    let (share, cpu) = UnwindWorkloads.share(stacks, of: { $0.names.contains { $0.hasPrefix("py::hot:") } }) { s in
      s.names.contains { $0.hasPrefix("py::outer:") } && s.names.contains { $0.hasPrefix("py::<module>:") }
    }
    XCTAssertGreaterThan(cpu, 100_000_000)
    XCTAssertGreaterThanOrEqual(share, 0.90, "share of py::hot's samples reaching the module")
  }

  /// Stacks deeper than the copy end under one `[truncated] THREAD` root per thread, never
  /// under a second `[unknown]` root; the notes say why.
  func testDeepRecursionEndsUnderOneTruncatedRootPerThread() throws {
    try PerfEvents.skipUnlessAvailable()
    let dir = try GoToolchain.temporaryDirectory("mixed-deep")
    try MixedProgramSources.build(
      MixedProgramSources.deepRecursion, file: "deep.c", in: dir,
      ["/usr/bin/gcc", "-O1", "-g", "-o", "deep", "FILE", "-lpthread"])
    // 16 KiB copies: full 60 KiB copies of two deep threads overflow the rings on a busy machine.
    let (p, stacks) = try UnwindWorkloads.capture(
      [dir.appendingPathComponent("deep").path], callGraph: .dwarf(stackBytes: 16384))
    let spinning = stacks.filter { $0.names.contains("spin") }
    XCTAssertGreaterThan(spinning.reduce(0) { $0 + $1.cpu }, 50_000_000, "spin sampled")
    var roots = Set<String>()
    for s in stacks where s.names.contains("recurse") {
      XCTAssertFalse(s.names.contains("[unknown]"), "\(s.names.suffix(4))")
      if let root = s.names.last, root.hasPrefix("[truncated]") { roots.insert(root) }
    }
    for s in spinning {
      XCTAssertTrue(["[truncated] deep-a", "[truncated] deep-b"].contains(s.names.last ?? ""), "\(s.names.suffix(4))")
      XCTAssertEqual(s.names.filter { $0.hasPrefix("[truncated]") }.count, 1)
      XCTAssertGreaterThan(s.names.filter { $0 == "recurse" }.count, 50, "the copy holds over a hundred frames")
    }
    XCTAssertEqual(roots, ["[truncated] deep-a", "[truncated] deep-b"])
    XCTAssertTrue(p.run.notes.contains { $0.contains("stack deeper than the copy") }, "\(p.run.notes)")
  }

  /// A static Go binary keeps frame pointers everywhere, so `auto` walks them; when it execs a
  /// program without frame pointers the run says so (the events cannot change after exec).
  func testAutoOnStaticFramePointerProgramWarnsAboutLaterExec() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try goProgram()
    let nofp = try UnwindWorkloads.binary("ratio_nofp")
    let (p, _) = try UnwindWorkloads.capture([bin, "exec", nofp, "0"], callGraph: .auto)
    XCTAssertTrue(
      p.run.notes.contains("call graph: frame pointers (auto: the executable keeps frame pointers)"), "\(p.run.notes)")
    XCTAssertTrue(
      p.run.notes.contains { $0.hasPrefix("ratio_nofp") && $0.contains("mapped during the run") }, "\(p.run.notes)")
  }

  /// `dwarf,200000` is clamped to what a record holds, and says so.
  func testClampedStackSizeIsWarned() throws {
    try PerfEvents.skipUnlessAvailable()
    let bin = try UnwindWorkloads.binary("ratio_nofp")
    let (p, _) = try UnwindWorkloads.capture([bin, "0"], callGraph: .dwarf(stackBytes: 200_000))
    XCTAssertTrue(p.run.notes.contains { $0.hasPrefix("call graph: dwarf, 61440-byte stack copies") }, "\(p.run.notes)")
    XCTAssertTrue(
      p.run.notes.contains { $0.hasPrefix("--call-graph dwarf,200000: a sample holds at most 61440 bytes") },
      "\(p.run.notes)")
  }
}

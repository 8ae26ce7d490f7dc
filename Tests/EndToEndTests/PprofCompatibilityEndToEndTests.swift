import Foundation
import PerfshTestSupport
import XCTest

/// perfsh and `go tool pprof` agree: on Go's own CPU profiles, and on what perfsh exports.
final class PprofCompatibilityEndToEndTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    guard GoToolchain.goPath != nil else { throw XCTSkip("golang-go is not installed (scripts/test installs it)") }
    home = try GoToolchain.temporaryDirectory("e2e-pprof")
  }

  override func tearDownWithError() throws {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  private func perfsh(_ script: String) throws -> ProcessResult {
    try PerfshBinary.run(["-c", script], environment: try PerfshBinary.environment(home: home), directory: home)
  }

  /// The table of a `top` report from its `Showing nodes` line on (pprof's header lines differ).
  /// perfsh marks kernel functions with a trailing ` [k]`, which pprof does not print.
  private func table(_ text: String) -> [String] {
    let lines = text.split(separator: "\n").map { $0.hasSuffix(" [k]") ? String($0.dropLast(4)) : String($0) }
    guard let start = lines.firstIndex(where: { $0.hasPrefix("Showing nodes accounting for") }) else { return [] }
    return Array(lines[start...].prefix { !$0.isEmpty })
  }

  private func goTop(_ file: String, _ extra: [String] = []) throws -> [String] {
    let go = try XCTUnwrap(GoToolchain.goPath)
    let out = try GoToolchain.run([go, "tool", "pprof", "-top", "-symbolize=none"] + extra + [file], in: home)
    return table(out)
  }

  func testTopOfAGoCPUProfileMatchesGoToolPprof() throws {
    let profile = try GoToolchain.cpuProfile(in: home).path
    let ours = try perfsh("load \(profile); top 0")
    XCTAssertEqual(ours.status, 0, ours.stderr)
    let theirs = try goTop(profile)
    XCTAssertGreaterThan(theirs.count, 4, "go tool pprof printed a table")
    XCTAssertEqual(table(ours.stdout), theirs)
    let cumOurs = try perfsh("load \(profile); top 0 --cum")
    XCTAssertEqual(table(cumOurs.stdout), try goTop(profile, ["-cum"]))
  }

  func testGoReadsWhatPerfshExportsFromASampledRun() throws {
    try PerfEvents.skipUnlessAvailable()
    let pb = home.appendingPathComponent("ratio.pb.gz").path
    let ours = try perfsh("run \(try Workloads.path("ratio")); top 0; top 0 --lines; export pprof \(pb)")
    XCTAssertEqual(ours.status, 0, ours.stderr)
    let tables = ours.stdout.components(separatedBy: "Showing nodes").dropFirst().map { table("Showing nodes" + $0) }
    XCTAssertEqual(tables.count, 2)
    XCTAssertEqual(tables.first, try goTop(pb), "same functions, flat and cum")
    XCTAssertEqual(tables.last, try goTop(pb, ["-lines"]), "same lines")
    let reloaded = try perfsh("load \(pb); top 0")
    XCTAssertEqual(table(reloaded.stdout), tables.first, "perfsh reads back what it wrote")
  }

  func testGoProgramIsSymbolizedWithGoNames() throws {
    try PerfEvents.skipUnlessAvailable()
    let go = try XCTUnwrap(GoToolchain.goPath)
    let source = """
      package main

      import "fmt"

      //go:noinline
      func spinHot(n int) uint64 {
      \tx := uint64(1)
      \tfor i := 0; i < n; i++ {
      \t\tx = x*6364136223846793005 + 1442695040888963407
      \t}
      \treturn x
      }

      func main() { fmt.Println(spinHot(400_000_000)) }
      """
    try source.write(to: home.appendingPathComponent("main.go"), atomically: true, encoding: .utf8)
    try GoToolchain.run([go, "build", "-o", "gohot", "main.go"], in: home)
    let r = try perfsh("run ./gohot; top 8 --cum")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("main.spinHot"), r.stdout)
    // A frameless Go leaf hides its direct caller from frame-pointer stacks (as in perf);
    // the runtime's frames above it are there.
    XCTAssertTrue(r.stdout.contains("runtime.main"), "the stack reaches the Go runtime:\n\(r.stdout)")
  }

  func testSwiftProgramIsDemangled() throws {
    try PerfEvents.skipUnlessAvailable()
    let swiftc =
      ["/usr/bin/swiftc", "/opt/swift/usr/bin/swiftc"].first { FileManager.default.isExecutableFile(atPath: $0) }
      ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/swiftc" }
      .first { FileManager.default.isExecutableFile(atPath: $0) }
    let compiler = try XCTUnwrap(swiftc, "swiftc is on PATH")
    // The xor-shift keeps LLVM from folding unrolled steps of the recurrence into one (a plain LCG over
    // `0..<n` ran 55 ms, mostly in the inlined range iterator, and spinSwift's own flat time fell out of top 5).
    let source = """
      @inline(never) func spinSwift(_ n: Int) -> UInt64 {
        var x: UInt64 = 1
        var i = 0
        while i < n {
          x = (x &* 6364136223846793005 &+ 1442695040888963407) ^ (x >> 29)
          i &+= 1
        }
        return x
      }
      print(spinSwift(200_000_000))
      """
    try source.write(to: home.appendingPathComponent("hot.swift"), atomically: true, encoding: .utf8)
    try GoToolchain.run([compiler, "-O", "-g", "-o", "swifthot", "hot.swift"], in: home)
    let r = try perfsh("run ./swifthot; top 5 --names full; top 5")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("spinSwift(Swift.Int) -> Swift.UInt64"), "demangled Swift name:\n\(r.stdout)")
    XCTAssertTrue(r.stdout.contains("  swifthot.spinSwift\n"), "the simple name by default:\n\(r.stdout)")
    XCTAssertFalse(r.stdout.contains("$s"), "no mangled names in top:\n\(r.stdout)")
  }

  func testCorruptFilesAreRejectedWithoutASession() throws {
    let profile = try GoToolchain.cpuProfile(in: home)
    let bytes = try Data(contentsOf: profile)
    let truncated = home.appendingPathComponent("truncated.pb.gz")
    try bytes.prefix(bytes.count / 2).write(to: truncated)
    let text = home.appendingPathComponent("notes.txt")
    try "hello world\nthis is not a profile\n".write(to: text, atomically: true, encoding: .utf8)
    for file in [truncated.path, text.path, home.appendingPathComponent("missing.pb").path] {
      let r = try perfsh("load \(file); sessions")
      XCTAssertEqual(r.status, 1, "a bad file fails the script: \(file)")
      XCTAssertTrue(r.stderr.contains(file.split(separator: "/").last.map(String.init) ?? file), r.stderr)
      XCTAssertFalse(r.stdout.contains("[1]"), "no half-loaded session for \(file)")
    }
  }
}

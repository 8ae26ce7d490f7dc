import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Symbolize

/// Times symbolization of many addresses in big binaries. Runs only with PERFSH_BENCH=1 and
/// prints its numbers; it asserts only correctness, never time.
final class SymbolizeBenchmarkTests: XCTestCase {
  private func addresses(count: Int, in segment: (offset: UInt64, vaddr: UInt64, size: UInt64), seed: UInt64)
    -> [UInt64]
  {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in segment.vaddr + UInt64.random(in: 0..<segment.size, using: &rng) }
  }

  private func textSegment(_ fx: Fixtures, _ binary: String) throws -> (offset: UInt64, vaddr: UInt64, size: UInt64) {
    for line in try fx.run("readelf", ["-lW", binary]).split(separator: "\n") {
      let f = line.split(separator: " ")
      if f.first == "LOAD", f.count >= 8, line.contains("R E"),
        let off = UInt64(f[1].dropFirst(2), radix: 16), let va = UInt64(f[2].dropFirst(2), radix: 16),
        let size = UInt64(f[4].dropFirst(2), radix: 16)
      {
        return (off, va, size)
      }
    }
    throw FixtureError(message: "no text segment")
  }

  private func measure(_ label: String, binary: String, count: Int, fx: Fixtures) throws {
    let segment = try textSegment(fx, binary)
    var mp = MappedProfile(binary: binary, segment: (segment.offset, segment.vaddr), bias: 0x5555_0000_0000)
    for a in addresses(count: count, in: segment, seed: 1) { mp.add(linkAddress: a) }
    var second = mp
    let symbolizer = Symbolizer()
    let clock = ContinuousClock()
    let cold = clock.measure { symbolizer.symbolize(&mp.profile) }
    var other = MappedProfile(binary: binary, segment: (segment.offset, segment.vaddr), bias: 0x5555_0000_0000)
    for a in addresses(count: count, in: segment, seed: 2) { other.add(linkAddress: a) }
    let warmNew = clock.measure { symbolizer.symbolize(&other.profile) }
    let warmSame = clock.measure { symbolizer.symbolize(&second.profile) }
    let inlined = mp.locations.filter { mp.profile.locations[$0.index].lines.count > 1 }.count
    let named = mp.locations.filter { !(mp.frames($0).first?.name.contains("+0x") ?? true) }.count
    print(
      "BENCH \(label): \(count) addresses, first call \(cold) (opens the binary), new addresses \(warmNew), "
        + "same addresses again \(warmSame); \(named) named, \(inlined) with inline frames, \(mp.profile.functions.count) functions"
    )
    XCTAssertGreaterThan(named, count / 2)
  }

  func testSymbolizeManyAddresses() throws {
    guard ProcessInfo.processInfo.environment["PERFSH_BENCH"] == "1" else { throw XCTSkip("set PERFSH_BENCH=1") }
    let fx = try Fixtures()
    let clang = URL(fileURLWithPath: try fx.run("which", ["clang"]).trimmingCharacters(in: .whitespacesAndNewlines))
      .resolvingSymlinksInPath().path
    try measure("clang (symtab, no DWARF)", binary: clang, count: 10_000, fx: fx)
    try fx.write(
      "main.go",
      "package main\nimport (\"fmt\"; \"net/http\")\nfunc main() { fmt.Println(http.ListenAndServe(\":0\", nil)) }\n")
    try fx.write("go.mod", "module bench\n\ngo 1.19\n")
    try fx.run("go", ["build", "-o", "gobench", "."], environment: ["CGO_ENABLED": "0"])
    try measure("go net/http binary (DWARF, inlines)", binary: fx.path("gobench"), count: 10_000, fx: fx)
    try measure(
      "libc.so.6 (DWARF from its /usr/lib/debug/.build-id file)", binary: "/usr/lib/x86_64-linux-gnu/libc.so.6",
      count: 10_000, fx: fx)
  }
}

import Foundation
import ProfileModel
import XCTest

@testable import Symbolize

/// Lines and inline chains against binutils `addr2line -f -i` (C) and `llvm-symbolizer` (C++)
/// for every address of the functions of -O2 builds (where GCC inlines and reorders).
final class SourceLineGroundTruthTests: XCTestCase {
  func testEveryAddressMatchesAddr2Line() throws {
    let fx = try Fixtures()
    try fx.write("fixture.c", CSymbolizationTests.cSource)
    try fx.run("gcc", ["-g", "-O2", "-o", "fixture", "fixture.c"])
    let binary = fx.path("fixture")
    let syms = try fx.symbols(binary)
    var addresses: [UInt64] = []
    for name in ["alpha", "beta", "outer", "main"] {
      let s = try XCTUnwrap(syms[name])
      addresses += (0..<s.size).map { s.address + $0 }
    }
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0x5555_0000_0000)
    for a in addresses { mp.add(linkAddress: a) }
    Symbolizer().symbolize(&mp.profile)

    let output = try fx.run(
      "addr2line", ["-f", "-i", "-a", "-e", binary] + addresses.map { "0x" + String($0, radix: 16) })
    // Output: "0xADDR" then pairs of (function, file:line) lines, innermost first.
    var expected: [[String]] = []
    var lines = output.split(separator: "\n").map(String.init)[...]
    while let header = lines.popFirst() {
      guard header.hasPrefix("0x") else { continue }
      var frames: [String] = []
      while let name = lines.first, !name.hasPrefix("0x") {
        lines.removeFirst()
        guard let position = lines.popFirst() else { break }
        let fileLine = position.split(separator: " ").first.map(String.init) ?? position  // drop "(discriminator N)"
        frames.append("\(name) \(baseName(fileLine))")
      }
      expected.append(frames)
    }
    XCTAssertEqual(expected.count, addresses.count)
    var mismatches: [String] = []
    var inlined = 0
    for (i, id) in mp.locations.enumerated() where i < expected.count {
      let ours = mp.frames(id).map { "\($0.name) \(baseName($0.file)):\($0.line)" }
      if ours.count > 1 { inlined += 1 }
      if ours != expected[i] {
        mismatches.append("0x\(String(addresses[i], radix: 16)): ours \(ours), addr2line \(expected[i])")
      }
    }
    XCTAssertGreaterThan(inlined, 0, "the -O2 build should have inlined frames")
    XCTAssertTrue(mismatches.isEmpty, "\(mismatches.count) of \(addresses.count) differ, e.g. \(mismatches.prefix(8))")
  }
}

extension SourceLineGroundTruthTests {
  /// C++ at -O2 against `llvm-symbolizer --inlining` (binutils addr2line misnames the innermost
  /// inlined frame and misplaces some header lines, so it is no ground truth here).
  func testCxxTemplatesAndDeepInliningMatchLLVMSymbolizer() throws {
    let fx = try Fixtures()
    guard (try? fx.run("llvm-symbolizer", ["--version"])) != nil else {
      throw XCTSkip("llvm-symbolizer is not installed")
    }
    try fx.write(
      "fixture.cpp",
      """
      #include <algorithm>
      #include <cstdio>
      #include <map>
      #include <string>
      #include <vector>

      namespace app {
      template <typename T> struct Stats {
        std::vector<T> values;
        void add(T v) { values.push_back(v); }
        T total() const { T s{}; for (auto v : values) s += v; return s; }
      };

      __attribute__((noinline)) long work(int n) {
        Stats<long> st;
        std::map<std::string, int> counts;
        for (int i = 0; i < n; i++) {
          st.add(i * 7 % 13);
          counts[std::to_string(i % 17)]++;
        }
        std::sort(st.values.begin(), st.values.end(), [](long a, long b) { return a > b; });
        return st.total() + (long)counts.size();
      }
      }

      int main(int argc, char **) { std::printf("%ld\\n", app::work(argc * 1000)); return 0; }
      """)
    try fx.run("g++", ["-g", "-O2", "-o", "fixture", "fixture.cpp"])
    let binary = fx.path("fixture")
    let nm = try fx.run("nm", ["-S", "--defined-only", binary])
    // Every third byte of every sized code symbol (the program's and the instantiated templates').
    var addresses: [UInt64] = []
    for line in nm.split(separator: "\n") {
      let f = line.split(separator: " ")
      guard f.count == 4, f[2] == "T" || f[2] == "t" || f[2] == "W" || f[2] == "w",
        let a = UInt64(f[0], radix: 16), let s = UInt64(f[1], radix: 16), s > 0
      else { continue }
      addresses += stride(from: a, to: a + s, by: 3)
    }
    XCTAssertGreaterThan(addresses.count, 500)
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0x5555_0000_0000)
    for a in addresses { mp.add(linkAddress: a) }
    Symbolizer().symbolize(&mp.profile)

    let output = try fx.run(
      "llvm-symbolizer",
      ["--obj=\(binary)", "--inlining", "--functions=linkage"] + addresses.map { "0x" + String($0, radix: 16) })
    // Per address: (function, file:line:column) pairs, innermost first, then a blank line.
    var expected: [[(name: String, position: String)]] = []
    var current: [(String, String)] = []
    var pending: String?
    for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.isEmpty {
        if !current.isEmpty { expected.append(current) }
        current = []
        pending = nil
      } else if let name = pending {
        let parts = line.split(separator: ":")
        var position = parts.count >= 3 ? "\(baseName(String(parts[0]))):\(parts[1])" : String(line)
        if position == "??:0" { position = ":0" }  // no line information
        current.append((name, position))
        pending = nil
      } else {
        pending = String(line)
      }
    }
    XCTAssertEqual(expected.count, addresses.count)
    var positionMismatches: [String] = []
    var nameMismatches: [String] = []
    var inlined = 0
    for (i, id) in mp.locations.enumerated() where i < expected.count {
      let ours = mp.frames(id)
      if ours.count > 1 { inlined += 1 }
      let oursPositions = ours.map { "\(baseName($0.file)):\($0.line)" }
      let theirPositions = expected[i].map(\.position)
      if oursPositions != theirPositions {
        positionMismatches.append("0x\(String(addresses[i], radix: 16)): ours \(oursPositions), llvm \(theirPositions)")
      }
      // Inlined frames are named from DWARF on both sides (linkage name, demangled, else the
      // plain name); the two demanglers space `> >` and `long int` differently, so spaces are
      // ignored. The outermost frame is the ELF symbol (clone suffixes are printed
      // differently), so only inlined names are compared.
      let ourInlined = ours.dropLast().map { $0.name.filter { $0 != " " } }
      let theirInlined = expected[i].dropLast().map { $0.name.filter { $0 != " " } }
      // LLVM 14's demangler gives up on some names (printing them mangled) that libstdc++'s handles.
      let comparable = !theirInlined.contains { $0.hasPrefix("_Z") }
      if comparable, ourInlined != theirInlined {
        nameMismatches.append("0x\(String(addresses[i], radix: 16)): ours \(ourInlined), llvm \(theirInlined)")
      }
    }
    XCTAssertGreaterThan(inlined, 50)
    XCTAssertTrue(
      positionMismatches.isEmpty, "\(positionMismatches.count)/\(addresses.count): \(positionMismatches.prefix(5))")
    XCTAssertTrue(nameMismatches.isEmpty, "\(nameMismatches.count)/\(addresses.count): \(nameMismatches.prefix(5))")
  }
}

import Foundation
import ProfileModel
import XCTest

@testable import Symbolize

/// Stripped binaries: addresses are grouped by the function ranges `.eh_frame` describes
/// (one row per function, not per address), and MiniDebugInfo (`.gnu_debugdata`, built
/// here as Fedora builds it) names them.
final class StrippedGroupingTests: XCTestCase {
  private static let functions = ["alpha", "beta", "outer", "main"]

  /// Builds the fixture at -O1, returns (path, nm symbols before stripping).
  private func build(_ fx: Fixtures) throws -> (String, [String: (address: UInt64, size: UInt64)]) {
    try fx.write("fixture.c", CSymbolizationTests.cSource)
    try fx.run("gcc", ["-O1", "-o", "fixture", "fixture.c"])
    let binary = fx.path("fixture")
    return (binary, try fx.symbols(binary))
  }

  /// Adds every fourth address of each function in `functions`; returns the location ids by function.
  private func addAll(_ mp: inout MappedProfile, _ syms: [String: (address: UInt64, size: UInt64)]) throws
    -> [String: [LocationID]]
  {
    var byFunction: [String: [LocationID]] = [:]
    for name in Self.functions {
      let s = try XCTUnwrap(syms[name], name)
      XCTAssertGreaterThan(s.size, 0, name)
      for offset in stride(from: 0, to: s.size, by: 4) {
        byFunction[name, default: []].append(mp.add(linkAddress: s.address + offset))
      }
    }
    return byFunction
  }

  func testStrippedAddressesGroupByFunctionRange() throws {
    let fx = try Fixtures()
    let (binary, syms) = try build(fx)
    try fx.run("strip", ["-s", binary])
    XCTAssertNil(try fx.symbols(binary)["alpha"], "the binary is stripped")
    let segment = try fx.textSegment(binary)
    var mp = MappedProfile(binary: binary, segment: segment, bias: 0x5555_5555_0000)
    let byFunction = try addAll(&mp, syms)
    Symbolizer().symbolize(&mp.profile)

    var seen: [String: String] = [:]
    for name in Self.functions {
      let names = Set(try XCTUnwrap(byFunction[name]).map { mp.frames($0).map(\.name) })
      let start = try XCTUnwrap(syms[name]).address - segment.vaddr + segment.offset
      // Every address of the function carries one name: its start's file offset.
      XCTAssertEqual(names, [["fixture+0x\(String(start, radix: 16)) (no symbol)"]], name)
      if let only = names.first?.first {
        XCTAssertNil(seen[only], "\(name) and \(seen[only] ?? "") share a row")
        seen[only] = name
      }
    }
    XCTAssertEqual(seen.count, Self.functions.count)
    XCTAssertTrue(
      mp.profile.run.notes.contains { $0.hasPrefix("fixture has no symbols for some functions (stripped)") },
      "\(mp.profile.run.notes)")
  }

  func testMiniDebugInfoNamesStrippedFunctions() throws {
    let fx = try Fixtures()
    let (binary, syms) = try build(fx)
    // Fedora's recipe (find-debuginfo's add_minidebug): the function symbols not in .dynsym,
    // kept in a copy stripped of everything else, xz-compressed into .gnu_debugdata.
    try fx.run(
      "sh",
      [
        "-ec",
        """
        nm -D fixture --format=posix --defined-only | awk '{ print $1 }' | sort > dynsyms
        nm fixture --format=posix --defined-only | awk '{ if ($2 == "T" || $2 == "t") print $1 }' | sort > funcsyms
        comm -13 dynsyms funcsyms > keep_symbols
        objcopy --only-keep-debug fixture fixture.debug
        objcopy -S --remove-section .gdb_index --remove-section .comment --keep-symbols=keep_symbols fixture.debug mini
        strip --strip-all -R .comment fixture
        xz -f mini
        objcopy --add-section .gnu_debugdata=mini.xz fixture
        """,
      ])
    XCTAssertNil(try fx.symbols(binary)["alpha"], "the binary itself has no .symtab")
    XCTAssertTrue(try fx.run("readelf", ["-SW", binary]).contains(".gnu_debugdata"))
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0x5555_5555_0000)
    let byFunction = try addAll(&mp, syms)
    Symbolizer().symbolize(&mp.profile)
    for name in Self.functions {
      let names = Set(try XCTUnwrap(byFunction[name]).map { mp.frames($0).last?.name ?? "" })
      XCTAssertEqual(names, [name])
    }
    XCTAssertTrue(mp.profile.mappings[0].hasFunctions)
    XCTAssertFalse(mp.profile.run.notes.contains { $0.contains("no symbols for some functions") }, "all named")
  }

  func testCorruptMiniDebugInfoFallsBackToFunctionRanges() throws {
    let fx = try Fixtures()
    let (binary, syms) = try build(fx)
    try fx.write("junk.xz", "not xz data at all")
    try fx.run("strip", ["-s", binary])
    try fx.run("objcopy", ["--add-section", ".gnu_debugdata=junk.xz", binary])
    let segment = try fx.textSegment(binary)
    var mp = MappedProfile(binary: binary, segment: segment, bias: 0x5555_5555_0000)
    let loc = mp.add(linkAddress: try XCTUnwrap(syms["beta"]).address + 4)
    Symbolizer().symbolize(&mp.profile)
    let start = try XCTUnwrap(syms["beta"]).address - segment.vaddr + segment.offset
    XCTAssertEqual(mp.frames(loc).map(\.name), ["fixture+0x\(String(start, radix: 16)) (no symbol)"])
  }

  func testXZDecodeRoundTripsAndRejectsGarbage() throws {
    let fx = try Fixtures()
    let text = String(repeating: "perfsh minidebuginfo ", count: 5000)
    try fx.write("plain", text)
    try fx.run("xz", ["-k", "-f", "plain"])
    let data = try Data(contentsOf: URL(fileURLWithPath: fx.path("plain.xz")))
    let decoded = data.withUnsafeBytes { MiniDebugInfo.xzDecode($0, limit: 1 << 20) }
    XCTAssertEqual(decoded.map { String(decoding: $0, as: UTF8.self) }, text)
    XCTAssertNil(data.withUnsafeBytes { MiniDebugInfo.xzDecode($0, limit: 1000) }, "over the limit")
    XCTAssertNil(Data("garbage".utf8).withUnsafeBytes { MiniDebugInfo.xzDecode($0, limit: 1 << 20) })
  }
}

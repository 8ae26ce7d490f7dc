import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Symbolize

/// Truncated, garbage and bit-flipped ELF files must never crash the parser or the
/// Symbolizer: the frames fall back to `file+0xOFFSET` names.
final class CorruptELFTests: XCTestCase {
  /// A small deterministic generator so failures reproduce.

  func testGarbageBytesAreRejectedWithoutCrashing() {
    var rng = SeededGenerator(seed: 42)
    for size in [0, 1, 4, 16, 63, 64, 65, 200, 4096] {
      let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
      let rejected = bytes.withUnsafeBytes { raw -> Bool in (try? ELFFile(bytes: raw, path: "garbage")) == nil }
      XCTAssertTrue(rejected, "size \(size)")
    }
    // A valid magic followed by garbage: either rejected or parsed into bounded tables.
    for trial in 0..<200 {
      var bytes = (0..<512).map { _ in UInt8.random(in: 0...255, using: &rng) }
      bytes.replaceSubrange(0..<6, with: [0x7f, 0x45, 0x4c, 0x46, 2, 1])
      bytes.withUnsafeBytes { raw in
        if let elf = try? ELFFile(bytes: raw, path: "garbage-\(trial)") {
          let table = ELFSymbolTable(files: [elf])
          _ = table.index(containing: 0x1000)
          _ = elf.buildID
          _ = elf.debugLink
          _ = elf.linkAddress(forFileOffset: 0x100)
        }
      }
    }
  }

  func testTruncatedAndCorruptedBinariesSymbolizeToOffsets() throws {
    let fx = try Fixtures()
    try fx.write("fixture.c", CSymbolizationTests.cSource)
    try fx.run("gcc", ["-g", "-O1", "-o", "fixture", "fixture.c"])
    let original = try Data(contentsOf: URL(fileURLWithPath: fx.path("fixture")))
    let segment = try fx.textSegment(fx.path("fixture"))
    let alpha = try XCTUnwrap(try fx.symbols(fx.path("fixture"))["alpha"])
    var variants: [(String, Data)] = []
    for k in [1, 2, 3, 5, 8, 13, 21, 34, 55, 63] {
      variants.append(("truncated-\(k)", original.prefix(original.count * k / 64)))
    }
    variants.append(("truncated-header", original.prefix(40)))
    var rng = SeededGenerator(seed: 7)
    for trial in 0..<40 {
      var bytes = [UInt8](original)
      // Corrupt the ELF header and the section/program header tables, where offsets live.
      let shoff = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 40, as: UInt64.self) })
      for _ in 0..<8 {
        let region = Int.random(in: 0...2, using: &rng)
        let index: Int
        switch region {
        case 0: index = Int.random(in: 16..<64, using: &rng)
        case 1: index = Int.random(in: 64..<(64 + 13 * 56), using: &rng)
        default: index = min(bytes.count - 1, shoff + Int.random(in: 0..<(64 * 36), using: &rng))
        }
        bytes[index] = UInt8.random(in: 0...255, using: &rng)
      }
      variants.append(("corrupt-\(trial)", Data(bytes)))
    }
    for (name, data) in variants {
      let path = fx.path(name)
      try data.write(to: URL(fileURLWithPath: path))
      var mp = MappedProfile(binary: path, segment: segment, bias: 0x5555_0000_0000)
      let loc = mp.add(linkAddress: alpha.address + 2)
      let symbolizer = Symbolizer()
      symbolizer.symbolize(&mp.profile)
      let frames = mp.frames(loc)
      XCTAssertFalse(frames.isEmpty, name)
      XCTAssertFalse(frames.contains { $0.name.isEmpty }, name)
      XCTAssertNoThrow(try mp.profile.validate(), name)
      if name.hasPrefix("truncated-header") {
        XCTAssertEqual(frames.first?.name.hasPrefix("\(name)+0x"), true)
        XCTAssertTrue(symbolizer.notes.contains { $0.contains(path) }, "a note names the unusable file")
      }
    }
  }
}

extension CorruptELFTests {
  /// Random bytes written into the DWARF sections (line tables, DIEs, abbreviations) reach
  /// libdw; symbolization must still finish and give every location a name.
  func testCorruptDWARFNeverCrashes() throws {
    let fx = try Fixtures()
    try fx.write("fixture.c", CSymbolizationTests.cSource)
    try fx.run("gcc", ["-g", "-O2", "-o", "fixture", "fixture.c"])
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.path("fixture"))))
    let sections = try original.withUnsafeBytes { raw throws(SymbolizeError) in
      try ELFFile(bytes: raw, path: "fixture").sections
    }
    let debug = sections.filter { $0.name.hasPrefix(".debug_") && $0.size > 0 }
    XCTAssertGreaterThanOrEqual(debug.count, 3)
    let segment = try fx.textSegment(fx.path("fixture"))
    let syms = try fx.symbols(fx.path("fixture"))
    var rng = SeededGenerator(seed: 11)
    for trial in 0..<300 {
      var bytes = original
      for _ in 0..<Int.random(in: 1...40, using: &rng) {
        let s = debug[Int.random(in: 0..<debug.count, using: &rng)]
        bytes[Int(s.offset) + Int.random(in: 0..<Int(s.size), using: &rng)] = UInt8.random(in: 0...255, using: &rng)
      }
      let path = fx.path("dwarf-\(trial)")
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      var mp = MappedProfile(binary: path, segment: segment, bias: 0x1000_0000)
      for name in ["alpha", "beta", "outer"] {
        let s = try XCTUnwrap(syms[name])
        for offset in stride(from: 0, to: s.size, by: 5) { mp.add(linkAddress: s.address + offset) }
      }
      Symbolizer().symbolize(&mp.profile)
      XCTAssertFalse(
        mp.locations.contains { mp.frames($0).isEmpty || mp.frames($0).contains { $0.name.isEmpty } }, path)
      XCTAssertNoThrow(try mp.profile.validate())
      try FileManager.default.removeItem(atPath: path)
    }
  }
}

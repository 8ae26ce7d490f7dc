import Foundation
import ProfileModel
import XCTest

@testable import Symbolize

/// kallsyms and perf-map parsing, and the Symbolizer's special mappings: kernel, JIT map,
/// vDSO, a missing binary, a build-id mismatch and locations with no mapping.
final class TextSourceTests: XCTestCase {
  static let kallsyms = """
    ffffffff81000000 T _stext
    ffffffff81000000 T startup_64
    ffffffff81001000 t do_one_initcall
    ffffffff81002000 D some_data
    ffffffff81003000 T schedule
    ffffffff81003800 W weak_thing
    ffffffffc0a00000 t nf_hook_run\t[nf_tables]
    0000000000000000 A fixed_percpu_data
    garbage line
    """

  func testKallsymsParsing() {
    let k = KernelSymbols(parsing: Self.kallsyms)
    XCTAssertEqual(k.symbols.count, 6, "data, absolute and malformed lines are dropped")
    XCTAssertEqual(k.symbol(containing: 0xffff_ffff_8100_1234)?.name, "do_one_initcall")
    XCTAssertEqual(k.symbol(containing: 0xffff_ffff_8100_2100)?.name, "do_one_initcall", "data symbols are not text")
    XCTAssertEqual(k.symbol(containing: 0xffff_ffff_8100_3010)?.name, "schedule")
    XCTAssertEqual(k.symbol(containing: 0xffff_ffff_8100_3900)?.name, "weak_thing")
    XCTAssertEqual(k.symbol(containing: 0xffff_ffff_c0a0_0010)?.name, "nf_hook_run [nf_tables]")
    XCTAssertNil(k.symbol(containing: 0xffff_ffff_80ff_ffff))
    XCTAssertNil(k.symbol(containing: 0xffff_ffff_c0b0_0010), "more than 1 MiB past the last symbol")
    XCTAssertTrue(KernelSymbols(parsing: "0000000000000000 T _stext\n0000000000000000 T schedule\n").symbols.isEmpty)
  }

  func testPerfMapParsing() {
    let map = PerfMap(
      parsing: """
        7f0000001000 40 LazyCompile:~main /app/index.js:1
        0x7f0000002000 0x20 Builtin: ArgumentsAdaptorTrampoline
        7f0000003000 zz not-a-size
        7f0000001000 10 rewritten:later
        short
        """)
    XCTAssertEqual(map.entries.count, 2)
    XCTAssertEqual(map.entry(containing: 0x7f00_0000_1008)?.name, "rewritten:later", "the later entry wins")
    XCTAssertEqual(map.entry(containing: 0x7f00_0000_201f)?.name, "Builtin: ArgumentsAdaptorTrampoline")
    XCTAssertNil(map.entry(containing: 0x7f00_0000_2020))
    XCTAssertNil(map.entry(containing: 0x7f00_0000_0fff))
  }

  private func profile(_ mappings: [(String, UInt64, UInt64)], addresses: [(Int?, UInt64)]) -> Profile {
    var p = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    for (name, start, limit) in mappings {
      p.mappings.append(Mapping(start: start, limit: limit, fileOffset: 0, filename: p.strings.intern(name)))
    }
    for (m, a) in addresses { p.locations.append(Location(address: a, mapping: m.map { MappingID($0) }, lines: [])) }
    return p
  }

  private func names(_ p: Profile, _ i: Int) -> [String] {
    p.locations[i].lines.map { p.strings[p.functions[$0.function.index].name] }
  }

  func testKernelJITUnknownAndMissingBinaryMappings() throws {
    let fx = try Fixtures()
    let kallsyms = try fx.write("kallsyms", Self.kallsyms)
    let mapPath = "/tmp/perf-\(getpid()).map"
    try "7f0000001000 40 LazyCompile:~main /app/index.js:1\n".write(toFile: mapPath, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: mapPath) }
    var p = profile(
      [
        ("[kernel.kallsyms]", 0xffff_ffff_8100_0000, 0xffff_ffff_ffff_ffff),
        (mapPath, 0x7f00_0000_0000, 0x7f00_1000_0000),
        ("/nonexistent/dir/libgone.so.1", 0x7f55_0000_0000, 0x7f55_0010_0000), ("//anon", 0x1000, 0x2000),
        ("[nf_tables]", 0xffff_ffff_c0a0_0000, 0xffff_ffff_c0a1_0000),
      ],
      addresses: [
        (0, 0xffff_ffff_8100_3004), (1, 0x7f00_0000_1010), (1, 0x7f00_0000_9000), (2, 0x7f55_0000_1234), (3, 0x1100),
        (nil, 0x4242), (nil, 0xffff_ffff_8100_1010), (4, 0xffff_ffff_c0a0_0040),
      ])
    var options = Symbolizer.Options()
    options.kallsymsPath = kallsyms
    let symbolizer = Symbolizer(options: options)
    symbolizer.symbolize(&p)
    XCTAssertEqual(names(p, 0), ["schedule"])
    XCTAssertEqual(names(p, 1), ["LazyCompile:~main /app/index.js:1"])
    XCTAssertEqual(names(p, 2), ["[unknown]"])
    XCTAssertEqual(names(p, 3), ["libgone.so.1+0x1234"])
    XCTAssertEqual(names(p, 4), ["[unknown]"])
    XCTAssertEqual(names(p, 5), ["[unknown]"])
    XCTAssertEqual(names(p, 6), ["do_one_initcall"], "kernel addresses without a mapping use kallsyms")
    XCTAssertEqual(names(p, 7), ["nf_hook_run [nf_tables]"], "kernel module mappings use kallsyms")
    XCTAssertTrue(p.mappings[0].hasFunctions)
    XCTAssertFalse(p.mappings[2].hasFunctions)
    XCTAssertEqual(p.run.notes.filter { $0.contains("/nonexistent/dir/libgone.so.1") }.count, 1)
    XCTAssertNoThrow(try p.validate())

    // A second profile through the same symbolizer: same answers, no repeated notes.
    var q = profile(
      [("/nonexistent/dir/libgone.so.1", 0x7f55_0000_0000, 0x7f55_0010_0000)], addresses: [(0, 0x7f55_0000_2000)])
    let notesBefore = symbolizer.notes.count
    symbolizer.symbolize(&q)
    XCTAssertEqual(names(q, 0), ["libgone.so.1+0x2000"])
    XCTAssertEqual(symbolizer.notes.count, notesBefore)
    XCTAssertTrue(q.run.notes.contains { $0.contains("libgone.so.1") }, "each profile is told about its missing binary")
  }

  func testHiddenKernelAddressesGiveOneGenericName() throws {
    let fx = try Fixtures()
    var options = Symbolizer.Options()
    options.kallsymsPath = try fx.write("kallsyms", "0000000000000000 T _stext\n0000000000000000 T schedule\n")
    var p = profile([("[kernel.kallsyms]", 0, UInt64.max)], addresses: [(0, 0xffff_ffff_8100_3004)])
    let symbolizer = Symbolizer(options: options)
    symbolizer.symbolize(&p)
    XCTAssertEqual(names(p, 0), ["[kernel.kallsyms]"])
    XCTAssertTrue(symbolizer.notes.contains { $0.contains("kptr_restrict") })
  }

  func testVDSOFramesAreNamedFromOwnImage() throws {
    let maps = try MappedFile.readText(path: "/proc/self/maps")
    guard let line = maps.split(separator: "\n").first(where: { $0.contains("[vdso]") }) else {
      throw XCTSkip("this kernel maps no vDSO")
    }
    let range = line.split(separator: " ")[0].split(separator: "-")
    let start = try XCTUnwrap(UInt64(range[0], radix: 16))
    let end = try XCTUnwrap(UInt64(range[1], radix: 16))
    // Place the image at a different address, as in another process.
    let base: UInt64 = 0x7ffd_1234_0000
    let addresses = stride(from: UInt64(0), to: end - start, by: 8).map { (Optional(0), base + $0) }
    var p = profile([("[vdso]", base, base + (end - start))], addresses: addresses)
    Symbolizer().symbolize(&p)
    let all = Set((0..<p.locations.count).flatMap { names(p, $0) })
    XCTAssertTrue(all.contains { $0.contains("clock_gettime") }, "vDSO names: \(all.sorted().prefix(10))")
    XCTAssertTrue(p.mappings[0].hasFunctions)
  }

  func testBuildIDMismatchFallsBackToOffsets() throws {
    let fx = try Fixtures()
    try fx.write("fixture.c", CSymbolizationTests.cSource)
    try fx.run("gcc", ["-g", "-O0", "-o", "fixture", "fixture.c"])
    let binary = fx.path("fixture")
    let alpha = try XCTUnwrap(try fx.symbols(binary)["alpha"])
    let segment = try fx.textSegment(binary)
    var good = MappedProfile(binary: binary, segment: segment, bias: 0x1000_0000, buildID: try fx.buildID(binary))
    let g = good.add(linkAddress: alpha.address)
    var bad = MappedProfile(binary: binary, segment: segment, bias: 0x1000_0000, buildID: "00112233")
    let b = bad.add(linkAddress: alpha.address)
    let symbolizer = Symbolizer()
    symbolizer.symbolize(&good.profile)
    symbolizer.symbolize(&bad.profile)
    XCTAssertEqual(good.frames(g).first?.name, "alpha")
    XCTAssertEqual(bad.frames(b).first?.name.hasPrefix("fixture+0x"), true)
    XCTAssertTrue(symbolizer.notes.contains { $0.contains("00112233") })
  }

  func testAlreadySymbolizedLocationsAreLeftAlone() {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let f = b.function("main.work")
    let loc = b.location(function: f, line: 12)
    b.addSample(leafFirst: [loc], values: [1])
    var p = b.build()
    let before = p.locations
    Symbolizer().symbolize(&p)
    XCTAssertEqual(p.locations, before)
    XCTAssertEqual(p.functions.count, 1)
  }
}

extension TextSourceTests {
  func testRebuiltBinaryAtSamePathIsReread() throws {
    let fx = try Fixtures()
    let symbolizer = Symbolizer()
    for (version, function) in ["first", "second"].enumerated().map({ ($0.offset, $0.element) }) {
      try fx.write(
        "prog.c",
        "__attribute__((noinline)) int \(function)_work(int x) { return x * \(version + 3); }\nint main(int c, char **v) { return \(function)_work(c); }\n"
      )
      try fx.run("gcc", ["-g", "-O0", "-o", "prog", "prog.c"])
      let binary = fx.path("prog")
      let sym = try XCTUnwrap(try fx.symbols(binary)["\(function)_work"])
      var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0x5555_0000_0000)
      let loc = mp.add(linkAddress: sym.address + 4)
      symbolizer.symbolize(&mp.profile)
      XCTAssertEqual(mp.frames(loc).first?.name, "\(function)_work", "version \(version)")
    }
    // A binary that was missing and then appears is read on the next call.
    let late = fx.path("late")
    var before = MappedProfile(binary: late, segment: (0x1000, 0x1000), bias: 0x5555_0000_0000)
    let b = before.add(linkAddress: 0x1100)
    symbolizer.symbolize(&before.profile)
    XCTAssertEqual(before.frames(b).first?.name, "late+0x1100")
    try FileManager.default.copyItem(atPath: fx.path("prog"), toPath: late)
    let sym = try XCTUnwrap(try fx.symbols(late)["second_work"])
    var after = MappedProfile(binary: late, segment: try fx.textSegment(late), bias: 0x5555_0000_0000)
    let a = after.add(linkAddress: sym.address + 4)
    symbolizer.symbolize(&after.profile)
    XCTAssertEqual(after.frames(a).first?.name, "second_work")
  }
}

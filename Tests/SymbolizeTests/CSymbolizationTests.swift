import Foundation
import ProfileModel
import XCTest

@testable import Symbolize

/// C and C++ binaries built at test time: names, files and lines against `nm` and markers in
/// the source, inline frames, a stripped binary, a shared library at a load bias and a
/// separate debug file found through `.gnu_debuglink`.
final class CSymbolizationTests: XCTestCase {
  static let cSource = """
    #include <stdio.h>
    #include <stdlib.h>

    __attribute__((noinline)) long alpha(long n) { // DECL_ALPHA
      long s = 0;
      for (long i = 0; i < n; i++) s += i * 3; // BODY_ALPHA
      return s;
    }

    __attribute__((noinline)) long beta(long n) { // DECL_BETA
      long s = 1;
      for (long i = 1; i < n; i++) s = (s * i) % 1000003; // BODY_BETA
      return s;
    }

    static inline __attribute__((always_inline)) long squares(long n) { // DECL_SQUARES
      long s = 0;
      for (long i = 0; i < n; i++) s += i * i ^ (s >> 3); // BODY_SQUARES
      return s;
    }

    __attribute__((noinline)) long outer(long n) { // DECL_OUTER
      long r = squares(n); // CALL_SQUARES
      return r + 1;
    }

    int main(int argc, char **argv) {
      long n = argc > 1 ? atol(argv[1]) : 1000;
      printf("%ld\\n", alpha(n) + beta(n) + outer(n));
      return 0;
    }
    """

  func testCFunctionsGetNamesFilesAndLines() throws {
    let fx = try Fixtures()
    try fx.write("fixture.c", Self.cSource)
    try fx.run("gcc", ["-g", "-O0", "-fno-omit-frame-pointer", "-o", "fixture", "fixture.c"])
    let binary = fx.path("fixture")
    let syms = try fx.symbols(binary)
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0x5555_5555_0000)
    let alphaSym = try XCTUnwrap(syms["alpha"])
    let betaSym = try XCTUnwrap(syms["beta"])
    let a = mp.add(linkAddress: alphaSym.address + alphaSym.size / 2)
    let b = mp.add(linkAddress: betaSym.address + 4)
    Symbolizer().symbolize(&mp.profile)

    let fa = mp.frames(a)
    XCTAssertEqual(fa.count, 1)
    XCTAssertEqual(fa.first?.name, "alpha")
    XCTAssertEqual(fa.first.map { baseName($0.file) }, "fixture.c")
    XCTAssertEqual(fa.first?.start, Fixtures.line(of: "DECL_ALPHA", in: Self.cSource))
    let alphaLines =
      Fixtures.line(of: "DECL_ALPHA", in: Self.cSource)...(Fixtures.line(of: "DECL_ALPHA", in: Self.cSource) + 4)
    XCTAssertTrue(alphaLines.contains(fa.first?.line ?? -1), "line \(fa.first?.line ?? -1) outside alpha")
    let fb = mp.frames(b)
    XCTAssertEqual(fb.first?.name, "beta")
    XCTAssertEqual(
      fb.first?.line, Fixtures.line(of: "DECL_BETA", in: Self.cSource), "prologue is on the declaration line")

    let m = mp.profile.mappings[0]
    XCTAssertTrue(m.hasFunctions && m.hasFilenames && m.hasLineNumbers && m.hasInlineFrames)
    XCTAssertEqual(mp.profile.strings[m.buildID], try fx.buildID(binary))
    XCTAssertNoThrow(try mp.profile.validate())
  }

  func testInlinedFunctionGivesTwoLinesInlinedFirst() throws {
    let fx = try Fixtures()
    try fx.write("fixture.c", Self.cSource)
    try fx.run("gcc", ["-g", "-O2", "-o", "fixture", "fixture.c"])
    let binary = fx.path("fixture")
    let outer = try XCTUnwrap(try fx.symbols(binary)["outer"])
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0x5600_0000_0000)
    for offset in 0..<outer.size { mp.add(linkAddress: outer.address + offset) }
    Symbolizer().symbolize(&mp.profile)

    let squaresDecl = Fixtures.line(of: "DECL_SQUARES", in: Self.cSource)
    let callLine = Fixtures.line(of: "CALL_SQUARES", in: Self.cSource)
    let inlined = mp.locations.map { mp.frames($0) }.filter { $0.count == 2 }
    XCTAssertFalse(inlined.isEmpty, "no address of outer symbolized to an inlined frame")
    for frames in inlined {
      XCTAssertEqual(frames[0].name, "squares")
      XCTAssertTrue((squaresDecl...squaresDecl + 4).contains(frames[0].line), "inlined line \(frames[0].line)")
      XCTAssertEqual(frames[1].name, "outer")
      XCTAssertEqual(frames[1].line, callLine)
    }
    for id in mp.locations { XCTAssertEqual(mp.frames(id).last?.name, "outer") }
  }

  func testCxxNamesAreDemangledAndSystemNameKept() throws {
    let fx = try Fixtures()
    try fx.write(
      "fixture.cpp",
      """
      namespace ns {
      struct Klass {
        int base;
        __attribute__((noinline)) int method(int x);
      };
      int Klass::method(int x) { return base * x + 7; }
      }
      int main(int argc, char **) { ns::Klass k{argc}; return k.method(argc) & 1; }
      """)
    try fx.run("g++", ["-g", "-O0", "-o", "fixture", "fixture.cpp"])
    let binary = fx.path("fixture")
    let method = try XCTUnwrap(try fx.symbols(binary)["_ZN2ns5Klass6methodEi"])
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0x5555_0000_0000)
    let loc = mp.add(linkAddress: method.address + 8)
    Symbolizer().symbolize(&mp.profile)
    let frame = try XCTUnwrap(mp.frames(loc).first)
    XCTAssertEqual(frame.name, "ns::Klass::method(int)")
    XCTAssertEqual(frame.system, "_ZN2ns5Klass6methodEi")
    XCTAssertEqual(baseName(frame.file), "fixture.cpp")
    XCTAssertEqual(frame.line, 6)
  }

  func testStrippedBinaryGivesOffsetNamesAndNoCrash() throws {
    let fx = try Fixtures()
    try fx.write("fixture.c", Self.cSource)
    try fx.run("gcc", ["-O1", "-o", "fixture", "fixture.c"])
    let binary = fx.path("fixture")
    let alpha = try XCTUnwrap(try fx.symbols(binary)["alpha"])
    try fx.run("strip", ["-s", binary])
    let segment = try fx.textSegment(binary)
    var mp = MappedProfile(binary: binary, segment: segment, bias: 0x5555_5555_0000)
    let loc = mp.add(linkAddress: alpha.address)
    Symbolizer().symbolize(&mp.profile)
    let fileOffset = alpha.address - segment.vaddr + segment.offset
    // The CFI still says where alpha starts, so the address is named by its function's start.
    XCTAssertEqual(mp.frames(loc).map(\.name), ["fixture+0x\(String(fileOffset, radix: 16)) (no symbol)"])
    XCTAssertFalse(mp.profile.mappings[0].hasFunctions)
    XCTAssertFalse(mp.profile.mappings[0].hasLineNumbers)
  }

  func testSharedLibraryAtLoadBias() throws {
    let fx = try Fixtures()
    let source = """
      __attribute__((noinline)) int lib_compute(int x) { // DECL_LIB
        int s = 0;
        for (int i = 0; i < x; i++) s += i ^ x;
        return s;
      }
      int lib_other(int x) { return lib_compute(x) + 1; }
      """
    try fx.write("lib.c", source)
    try fx.run("gcc", ["-g", "-O0", "-shared", "-fPIC", "-o", "libfixture.so", "lib.c"])
    let lib = fx.path("libfixture.so")
    let sym = try XCTUnwrap(try fx.symbols(lib)["lib_compute"])
    let segment = try fx.textSegment(lib)
    XCTAssertNotEqual(segment.offset, 0, "the text segment should not start the file")
    var mp = MappedProfile(binary: lib, segment: segment, bias: 0x7f12_3400_0000)
    XCTAssertNotEqual(mp.profile.mappings[0].start, 0)
    let loc = mp.add(linkAddress: sym.address + 6)
    Symbolizer().symbolize(&mp.profile)
    let frame = try XCTUnwrap(mp.frames(loc).first)
    XCTAssertEqual(frame.name, "lib_compute")
    XCTAssertEqual(baseName(frame.file), "lib.c")
    XCTAssertEqual(frame.line, Fixtures.line(of: "DECL_LIB", in: source))
  }

  func testDebugLinkFileSuppliesSymbolsAndLines() throws {
    let fx = try Fixtures()
    try fx.write("fixture.c", Self.cSource)
    try fx.run("gcc", ["-g", "-O0", "-o", "fixture", "fixture.c"])
    let binary = fx.path("fixture")
    let beta = try XCTUnwrap(try fx.symbols(binary)["beta"])
    try FileManager.default.createDirectory(atPath: fx.path(".debug"), withIntermediateDirectories: true)
    try fx.run("objcopy", ["--only-keep-debug", "fixture", ".debug/fixture.debug"])
    try fx.run("strip", ["-s", "fixture"])
    try fx.run("objcopy", ["--add-gnu-debuglink=.debug/fixture.debug", "fixture"])
    XCTAssertNil(try fx.symbols(binary)["beta"], "the binary itself is stripped")
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0x5555_0000_0000)
    let loc = mp.add(linkAddress: beta.address + 4)
    Symbolizer(
      options: {
        var o = Symbolizer.Options()
        o.debugRoots = [fx.path("no-such-root")]
        return o
      }()
    )
    .symbolize(&mp.profile)
    let frame = try XCTUnwrap(mp.frames(loc).first)
    XCTAssertEqual(frame.name, "beta")
    XCTAssertEqual(frame.line, Fixtures.line(of: "DECL_BETA", in: Self.cSource))
  }
}

import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Symbolize

/// Inputs the symbolizer opens by name — JIT maps, separate debug files, kallsyms — may be a
/// FIFO, a link to /dev/zero, or another user's file. None may block, grow without bound or
/// be trusted; each gives a note saying why, and the profile is still symbolized.
final class HostileSymbolInputTests: XCTestCase {
  /// A JIT map path that no test process owns (the mapping name is all that matters).
  private func mapPath(_ n: Int) -> String { "/tmp/perf-\(Int(getpid()) * 100 + n).map" }

  private func jitProfile(_ mapPath: String) -> Profile {
    var p = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    p.mappings.append(
      Mapping(start: 0x7f00_0000_0000, limit: 0x7f00_1000_0000, fileOffset: 0, filename: p.strings.intern(mapPath)))
    p.locations.append(Location(address: 0x7f00_0000_1010, mapping: MappingID(0), lines: []))
    return p
  }

  private func leafName(_ p: Profile) -> String? {
    p.locations.first?.lines.first.map { p.strings[p.functions[$0.function.index].name] }
  }

  func testJITMapThatIsAFIFOIsSkippedWithANote() throws {
    let path = mapPath(1)
    unlink(path)
    try makeFIFO(path)
    defer { unlink(path) }
    let guardian = FIFOHangGuard(fifo: path)
    var p = jitProfile(path)
    Symbolizer().symbolize(&p)
    XCTAssertTrue(guardian.finish(), "a FIFO JIT map must not block")
    XCTAssertEqual(leafName(p), "[unknown]")
    XCTAssertTrue(
      p.run.notes.contains("no JIT symbols: cannot read \(path): it is a FIFO, not a regular file"), "\(p.run.notes)")
  }

  func testJITMapLinkedToDevZeroIsRefused() throws {
    let path = mapPath(2)
    unlink(path)
    XCTAssertEqual(symlink("/dev/zero", path), 0)
    defer { unlink(path) }
    var p = jitProfile(path)
    Symbolizer().symbolize(&p)
    XCTAssertEqual(leafName(p), "[unknown]")
    XCTAssertTrue(
      p.run.notes.contains("no JIT symbols: cannot read \(path): it is a character device, not a regular file"),
      "\(p.run.notes)")
  }

  func testJITMapOfAnotherUserIsIgnoredAsPerfDoes() throws {
    try XCTSkipIf(geteuid() != 0, "chown needs root")
    let path = mapPath(3)
    try "7f0000001000 40 planted_name\n".write(toFile: path, atomically: false, encoding: .utf8)
    defer { unlink(path) }
    XCTAssertEqual(chown(path, nobodyID.uid, nobodyID.gid), 0)
    var p = jitProfile(path)
    Symbolizer().symbolize(&p)
    XCTAssertEqual(leafName(p), "[unknown]", "a name planted by another user is not used")
    XCTAssertTrue(
      p.run.notes.contains(
        "no JIT symbols: ignored \(path): owned by uid \(nobodyID.uid), not by perfsh's user or root (as perf does)"),
      "\(p.run.notes)")

    // The same map owned by root (perfsh's user here) is used.
    XCTAssertEqual(chown(path, 0, 0), 0)
    var q = jitProfile(path)
    Symbolizer().symbolize(&q)
    XCTAssertEqual(leafName(q), "planted_name")
  }

  func testJITMapWithCRLFLineEndsParses() throws {
    let map = PerfMap(parsing: "7f0000001000 40 first blob\r\n7f0000002000 20 second\r\n\r\n7f0000003000 10 third")
    XCTAssertEqual(map.entries.map(\.name), ["first blob", "second", "third"])
    XCTAssertEqual(map.entry(containing: 0x7f00_0000_2010)?.name, "second")

    let path = mapPath(4)
    try "7f0000001000 40 one\r\n7f0000001040 40 two\r\n".write(toFile: path, atomically: false, encoding: .utf8)
    defer { unlink(path) }
    var p = jitProfile(path)
    p.locations.append(Location(address: 0x7f00_0000_1050, mapping: MappingID(0), lines: []))
    Symbolizer().symbolize(&p)
    XCTAssertEqual(p.locations.map { p.strings[p.functions[$0.lines[0].function.index].name] }, ["one", "two"])
  }

  func testDebugFilesThatAreFIFOsAreSkipped() throws {
    let fx = try Fixtures()
    // A stripped binary whose .gnu_debuglink names a file that is then replaced by a FIFO,
    // and a FIFO at its build-id path: opening either must not block symbolization.
    let binary = fx.path("tool")
    try fx.run("cp", ["/usr/bin/true", binary])
    try fx.run("objcopy", ["--only-keep-debug", binary, fx.path("tool.debug")])
    try fx.run("objcopy", ["--strip-all", "--add-gnu-debuglink=tool.debug", binary])
    unlink(fx.path("tool.debug"))
    try makeFIFO(fx.path("tool.debug"))
    let id = try fx.buildID(binary)
    try FileManager.default.createDirectory(
      atPath: fx.path("root/.build-id/\(id.prefix(2))"), withIntermediateDirectories: true)
    let buildIDPath = fx.path("root/.build-id/\(id.prefix(2))/\(id.dropFirst(2)).debug")
    try makeFIFO(buildIDPath)
    do {
      _ = try MappedFile(path: buildIDPath)
      XCTFail("a FIFO was mapped")
    } catch {
      XCTAssertEqual(error, .notRegularFile(path: buildIDPath, kind: "a FIFO"))
    }

    let linkGuard = FIFOHangGuard(fifo: fx.path("tool.debug"))
    let idGuard = FIFOHangGuard(fifo: buildIDPath)
    var options = Symbolizer.Options()
    options.debugRoots = [fx.path("root")]
    var p = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    p.mappings.append(
      Mapping(start: 0x5555_0000_0000, limit: 0x5555_0010_0000, fileOffset: 0, filename: p.strings.intern(binary)))
    p.locations.append(Location(address: 0x5555_0000_1234, mapping: MappingID(0), lines: []))
    Symbolizer(options: options).symbolize(&p)
    XCTAssertTrue(linkGuard.finish(), "a FIFO at the debuglink path must not block")
    XCTAssertTrue(idGuard.finish(), "a FIFO at the build-id path must not block")
    XCTAssertEqual(p.locations[0].lines.count, 1, "the frame is still named (from the binary)")
    XCTAssertNil(DWARFSession(path: buildIDPath), "libdw is never handed a FIFO")
    XCTAssertFalse(LibraryLocator.isELF(buildIDPath))
  }

  func testTextInputsAreRegularFilesWithACap() throws {
    XCTAssertThrowsError(try MappedFile.readText(path: "/dev/zero")) { error in
      XCTAssertEqual("\(error)", "cannot read /dev/zero: it is a character device, not a regular file")
    }
    XCTAssertThrowsError(try MappedFile.readText(path: "/proc/self/maps", limit: 16)) { error in
      XCTAssertEqual(error as? SymbolizeError, .tooLarge(path: "/proc/self/maps", limit: 16))
      XCTAssertEqual("\(error)", "cannot read /proc/self/maps: it is larger than the 16-byte limit")
    }
    XCTAssertFalse(try MappedFile.readText(path: "/proc/self/maps").isEmpty, "procfs files (size 0) still read")
    XCTAssertNil(DWARFSession(path: "/dev/zero"))
    XCTAssertFalse(LibraryLocator.isELF("/dev/zero"))
  }

  func testDebugFileLinkedToDevZeroIsSkipped() throws {
    let fx = try Fixtures()
    let binary = fx.path("tool")
    try fx.run("cp", ["/usr/bin/true", binary])
    try fx.run("objcopy", ["--only-keep-debug", binary, fx.path("tool.debug")])
    try fx.run("objcopy", ["--strip-all", "--add-gnu-debuglink=tool.debug", binary])
    unlink(fx.path("tool.debug"))
    XCTAssertEqual(symlink("/dev/zero", fx.path("tool.debug")), 0)
    var p = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    p.mappings.append(
      Mapping(start: 0x5555_0000_0000, limit: 0x5555_0010_0000, fileOffset: 0, filename: p.strings.intern(binary)))
    p.locations.append(Location(address: 0x5555_0000_1234, mapping: MappingID(0), lines: []))
    var options = Symbolizer.Options()
    options.debugRoots = [fx.path("none")]
    Symbolizer(options: options).symbolize(&p)
    XCTAssertEqual(p.locations[0].lines.count, 1)
    XCTAssertFalse(p.mappings[0].hasLineNumbers, "no debug info came from /dev/zero")
  }
}

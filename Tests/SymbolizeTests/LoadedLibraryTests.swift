import Foundation
import ProfileModel
import XCTest

@testable import Symbolize

/// Symbolizes addresses of libraries loaded into this test process, with mappings taken from
/// `/proc/self/maps` exactly as the kernel's MMAP2 records describe them (start, page offset,
/// path): a real load bias, `.dynsym`-only system libraries.
final class LoadedLibraryTests: XCTestCase {
  private func mapping(containing address: UInt64) throws -> (start: UInt64, end: UInt64, offset: UInt64, path: String)
  {
    for line in try MappedFile.readText(path: "/proc/self/maps").split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      guard f.count >= 6 else { continue }
      let range = f[0].split(separator: "-")
      guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16),
        let offset = UInt64(f[2], radix: 16), start <= address, address < end
      else { continue }
      return (start, end, offset, f[5...].joined(separator: " "))
    }
    throw FixtureError(message: "no mapping holds 0x\(String(address, radix: 16))")
  }

  func testFunctionsOfLoadedLibrariesAreNamed() throws {
    let cases: [(symbol: String, accepted: Set<String>)] = [
      ("getpid", ["getpid", "__getpid"]),
      ("qsort", ["qsort"]),
      ("swift_retain", ["swift_retain"]),
    ]
    var profile = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    var expected: [(LocationID, Set<String>)] = []
    for c in cases {
      guard let handle = dlopen(nil, RTLD_NOW) else { throw FixtureError(message: "dlopen failed") }
      defer { dlclose(handle) }
      guard let pointer = dlsym(handle, c.symbol) else {
        XCTFail("dlsym could not find \(c.symbol)")
        continue
      }
      let address = UInt64(UInt(bitPattern: pointer))
      let m = try mapping(containing: address)
      profile.mappings.append(
        Mapping(start: m.start, limit: m.end, fileOffset: m.offset, filename: profile.strings.intern(m.path)))
      let location = LocationID(profile.locations.count)
      // A non-leaf frame's address points inside the function, one byte before a return address.
      profile.locations.append(
        Location(address: address + 3, mapping: MappingID(profile.mappings.count - 1), lines: []))
      expected.append((location, c.accepted))
    }
    let symbolizer = Symbolizer()
    symbolizer.symbolize(&profile)
    for (location, accepted) in expected {
      let lines = profile.locations[location.index].lines
      let name = lines.last.map { profile.strings[profile.functions[$0.function.index].name] } ?? ""
      XCTAssertTrue(
        accepted.contains(name), "expected one of \(accepted.sorted()), got \(name); notes: \(symbolizer.notes)")
    }
    for m in profile.mappings {
      XCTAssertTrue(m.hasFunctions)
      XCTAssertFalse(profile.strings[m.buildID].isEmpty, "build id read from \(profile.strings[m.filename])")
    }
  }
}

import Formats
import PerfshTestSupport
import ProfileModel
import XCTest

/// The run's executable becomes the first mapping of a pprof export (go tool pprof prints it
/// as `File:`), with every location still pointing at its own file.
final class MainMappingFirstTests: XCTestCase {
  private func profile(command: [String]?) -> Profile {
    var b = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes)
    let names = [
      "[kernel.kallsyms]", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/libc.so.6",
      "/opt/bin/hugo",
    ]
    var locations: [LocationID] = []
    for (i, name) in names.enumerated() {
      let m = b.mapping(
        Mapping(start: UInt64(i + 1) << 32, limit: UInt64(i + 2) << 32, fileOffset: 0, filename: b.intern(name)))
      let f = b.function("f\(i)")
      locations.append(
        b.location(Location(address: (UInt64(i + 1) << 32) + 16, mapping: m, lines: [Line(function: f)])))
    }
    b.addSample(leafFirst: locations, values: [1, 10])
    b.withProfile { $0.run.command = command }
    return b.build()
  }

  private func fileOfEachFunction(_ p: Profile) -> [String: String] {
    var result: [String: String] = [:]
    for l in p.locations {
      guard let m = l.mapping, let line = l.lines.first else { continue }
      result[p.name(of: line.function)] = p.strings[p.mappings[m.index].filename]
    }
    return result
  }

  func testCommandsExecutableMovesFirstAndLocationsFollow() throws {
    let original = profile(command: ["./hugo", "server"])
    let reordered = MainMappingFirst.reorder(original)
    XCTAssertEqual(reordered.strings[reordered.mappings[0].filename], "/opt/bin/hugo")
    XCTAssertEqual(reordered.strings[reordered.mappings[1].filename], "[kernel.kallsyms]")
    XCTAssertEqual(fileOfEachFunction(reordered), fileOfEachFunction(original))
    XCTAssertNoThrow(try reordered.validate())
    // The encoded profile decodes with the executable first.
    let decoded = try PprofDecoder.decode(try PprofEncoder.encode(reordered))
    XCTAssertEqual(decoded.strings[decoded.mappings[0].filename], "/opt/bin/hugo")
  }

  func testWithoutACommandTheFirstNonLibraryFileIsMain() {
    let reordered = MainMappingFirst.reorder(profile(command: nil))
    XCTAssertEqual(reordered.strings[reordered.mappings[0].filename], "/opt/bin/hugo")
  }
}

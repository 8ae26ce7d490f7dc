import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Symbolize

/// A Go binary with neither `.symtab` nor DWARF still gets function names, files and lines
/// from `.gopclntab`; checked against `go tool addr2line`, which reads the same table.
final class GoLineTableTests: XCTestCase {
  static let source = """
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

    //go:noinline
    func other(n int) int {
    \ts := 0
    \tfor i := 0; i < n; i++ {
    \t\ts += i ^ n
    \t}
    \treturn s
    }

    func main() { fmt.Println(spinHot(1000), other(1000)) }
    """

  func testStrippedGoBinaryGetsFilesAndLinesFromPclntab() throws {
    guard let go = GoToolchain.goPath else { throw XCTSkip("golang-go is not installed (scripts/test installs it)") }
    let fx = try Fixtures()
    let file = try fx.write("main.go", Self.source)
    try fx.run(
      go, ["build", "-o", "prog", "main.go"], environment: ["GOCACHE": fx.path("cache"), "GOFLAGS": "-mod=mod"])
    let binary = fx.path("prog")
    var starts: [String: UInt64] = [:]
    for line in try fx.run(go, ["tool", "nm", binary]).split(separator: "\n") {
      let f = line.split(separator: " ")
      if f.count >= 3, let a = UInt64(f[0], radix: 16) { starts[String(f[2...].joined(separator: " "))] = a }
    }
    let spin = try XCTUnwrap(starts["main.spinHot"])
    let other = try XCTUnwrap(starts["main.other"])
    try fx.run("strip", ["-s", binary])
    let sections = try fx.run("readelf", ["-SW", binary])
    XCTAssertFalse(sections.contains(".symtab") || sections.contains(".debug_info"), "stripped of symbols and DWARF")

    let addresses = (0..<24).map { spin + UInt64($0) * 3 } + (0..<24).map { other + UInt64($0) * 3 }
    // go tool addr2line prints "function\nfile:line" per address.
    let input = addresses.map { "0x" + String($0, radix: 16) }.joined(separator: "\n") + "\n"
    try fx.write("addresses", input)
    let truth = try fx.run("sh", ["-c", "\(go) tool addr2line prog < addresses"]).split(separator: "\n").map(
      String.init)
    XCTAssertEqual(truth.count, addresses.count * 2)

    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0)
    let locations = addresses.map { mp.add(linkAddress: $0) }
    Symbolizer().symbolize(&mp.profile)
    var bodyLines = Set<Int64>()
    for (i, loc) in locations.enumerated() {
      let frame = try XCTUnwrap(mp.frames(loc).first)
      XCTAssertEqual(frame.name, truth[2 * i], "address 0x\(String(addresses[i], radix: 16))")
      // Past a function's last instruction (alignment padding) addr2line says ":-1": unknown.
      let expected = truth[2 * i + 1] == ":-1" ? ":0" : truth[2 * i + 1]
      XCTAssertEqual("\(frame.file):\(frame.line)", expected, "address 0x\(String(addresses[i], radix: 16))")
      if frame.name == "main.spinHot" { bodyLines.insert(frame.line) }
    }
    XCTAssertEqual(mp.frames(locations[0]).first?.file, file)
    XCTAssertTrue(bodyLines.contains(Fixtures.line(of: "6364136223846793005", in: Self.source)), "\(bodyLines)")
    XCTAssertTrue(mp.profile.mappings[0].hasLineNumbers)
  }
}

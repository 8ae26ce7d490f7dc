import Foundation
import ProfileModel
import XCTest

@testable import Symbolize

/// Go and Swift binaries built at test time: Go names from the symbol table with DWARF lines,
/// Swift names demangled with the mangled name kept as the system name.
final class LanguageSymbolizationTests: XCTestCase {
  func testGoFunctionsKeepTheirGoNames() throws {
    let fx = try Fixtures()
    let source = """
      package main

      import "fmt"

      //go:noinline
      func work(n int) int { // DECL_WORK
      	s := 0
      	for i := 0; i < n; i++ {
      		s += i * i % 7
      	}
      	return s
      }

      func main() {
      	fmt.Println(work(1000))
      }
      """
    try fx.write("main.go", source)
    try fx.write("go.mod", "module fixture\n\ngo 1.19\n")
    try fx.run("go", ["build", "-o", "gofixture", "."], environment: ["CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"])
    let binary = fx.path("gofixture")
    let syms = try fx.symbols(binary)
    let work = try XCTUnwrap(syms["main.work"])
    let mallocgc = try XCTUnwrap(syms["runtime.mallocgc"])
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0)
    let w = mp.add(linkAddress: work.address + 20)
    let m = mp.add(linkAddress: mallocgc.address + 40)
    Symbolizer().symbolize(&mp.profile)
    let wf = try XCTUnwrap(mp.frames(w).last)
    XCTAssertEqual(wf.name, "main.work")
    XCTAssertEqual(baseName(wf.file), "main.go")
    let decl = Fixtures.line(of: "DECL_WORK", in: source)
    XCTAssertTrue((decl...decl + 6).contains(wf.line), "line \(wf.line)")
    XCTAssertEqual(mp.frames(m).last?.name, "runtime.mallocgc")
    XCTAssertEqual(mp.frames(m).last.map { baseName($0.file) }, "malloc.go")
  }

  func testSwiftFunctionsAreDemangled() throws {
    let fx = try Fixtures()
    try fx.write(
      "main.swift",
      """
      @inline(never)
      func work(_ n: Int) -> Int {
        var s = 0
        for i in 0..<n { s &+= i &* i % 7 }
        return s
      }
      print(work(Int(CommandLine.arguments.count) * 1000))
      """)
    try fx.run("swiftc", ["-g", "-Onone", "-module-name", "fixture", "-o", "swiftfixture", "main.swift"])
    let binary = fx.path("swiftfixture")
    let mangled = "$s7fixture4workyS2iF"
    let work = try XCTUnwrap(try fx.symbols(binary)[mangled], "swiftc no longer mangles work(_:) as \(mangled)")
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0x5555_0000_0000)
    let loc = mp.add(linkAddress: work.address + 16)
    Symbolizer().symbolize(&mp.profile)
    let frame = try XCTUnwrap(mp.frames(loc).last)
    XCTAssertEqual(frame.name, "fixture.work(Swift.Int) -> Swift.Int")
    XCTAssertEqual(frame.system, mangled)
    XCTAssertEqual(baseName(frame.file), "main.swift")
    XCTAssertTrue((2...6).contains(frame.line), "line \(frame.line)")
  }
}

extension LanguageSymbolizationTests {
  func testStrippedGoBinaryIsNamedFromPCLNTab() throws {
    let fx = try Fixtures()
    try fx.write(
      "main.go",
      """
      package main

      import "fmt"

      //go:noinline
      func work(n int) int {
      	s := 0
      	for i := 0; i < n; i++ {
      		s += i * i % 7
      	}
      	return s
      }

      func main() { fmt.Println(work(1000)) }
      """)
    try fx.write("go.mod", "module fixture\n\ngo 1.19\n")
    try fx.run("go", ["build", "-o", "gofixture", "."], environment: ["CGO_ENABLED": "0"])
    let binary = fx.path("gofixture")
    let syms = try fx.symbols(binary)
    let work = try XCTUnwrap(syms["main.work"])
    let printf = try XCTUnwrap(syms["fmt.Fprintln"])
    try fx.run("strip", ["-s", binary])
    XCTAssertNil(try fx.symbols(binary)["main.work"], "strip removed .symtab")
    var mp = MappedProfile(binary: binary, segment: try fx.textSegment(binary), bias: 0)
    let w = mp.add(linkAddress: work.address + 10)
    let p = mp.add(linkAddress: printf.address)
    let beforeText = mp.add(linkAddress: 0x1000)
    Symbolizer().symbolize(&mp.profile)
    XCTAssertEqual(mp.frames(w).map(\.name), ["main.work"])
    XCTAssertEqual(mp.frames(p).map(\.name), ["fmt.Fprintln"])
    XCTAssertEqual(mp.frames(beforeText).first?.name.hasPrefix("gofixture+0x"), true)
  }
}

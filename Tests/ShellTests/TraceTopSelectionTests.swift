import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// What `trace-top` picks: functions with code of their own, never names seen only inlined.
final class TraceTopSelectionTests: XCTestCase {
  func testInlinedOnlyFunctionsAreNotPicked() throws {
    // A real binary: selection also checks the name against the file's symbols.
    let calls = try Workloads.path("calls")
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    let m = b.mapping(Mapping(start: 0x400000, limit: 0x500000, fileOffset: 0, filename: b.intern(calls)))
    let inlined = b.function("inlinedHelper")
    let outer = b.function("outer")
    // lines[0] is the innermost (inlined) frame, the last line the function holding the code.
    let location = b.location(
      Location(address: 0x401000, mapping: m, lines: [Line(function: inlined), Line(function: outer)]))
    b.addSample(leafFirst: [location], values: [10])
    let choices = TraceTopSelection.patterns(
      ranked: ["inlinedHelper", "outer"], profile: b.build(), executable: calls, count: 5)
    XCTAssertEqual(choices.map(\.display), ["outer"])
    XCTAssertEqual(choices.first?.pattern, "^outer$")
  }
}

/// trace-top passes over Go's Duff's devices: calls enter them in the middle, so the entry probe
/// misses them while the RET sees every one (seen as millions of returns without an entry).
final class TraceTopDuffDeviceTests: XCTestCase {
  func testDuffsDevicesAreSkippedWithTheReason() throws {
    let stacks = try Workloads.path("stacks")
    guard FileManager.default.isExecutableFile(atPath: stacks) else {
      throw XCTSkip("examples/bin/stacks was not built (needs Go and golang-gopkg-yaml.v3-dev)")
    }
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    let m = b.mapping(Mapping(start: 0x400000, limit: 0x900000, fileOffset: 0, filename: b.intern(stacks)))
    let duff = b.function("runtime.duffcopy")
    let merge = b.function("main.deepMerge")
    b.addSample(
      leafFirst: [b.location(Location(address: 0x401000, mapping: m, lines: [Line(function: duff)]))], values: [20])
    b.addSample(
      leafFirst: [b.location(Location(address: 0x402000, mapping: m, lines: [Line(function: merge)]))], values: [10])
    let selection = TraceTopSelection.select(
      ranked: ["runtime.duffcopy", "main.deepMerge"], profile: b.build(), executable: stacks, count: 5)
    XCTAssertEqual(selection.choices.map(\.display), ["main.deepMerge"])
    XCTAssertEqual(selection.skipped.map(\.name), ["runtime.duffcopy"])
    XCTAssertTrue(selection.skipped.first?.reason.contains("Duff's device") == true)
  }
}

/// trace-top on Go ranks by cost too: Go assembly whose entry probe would be single-stepped is
/// skipped with the reason, and Go runtime functions only fill what user code leaves.
final class TraceTopGoCostTests: XCTestCase {
  private func select(_ ranked: [String], count: Int) throws -> TraceTopSelection.Selection {
    let stacks = try Workloads.path("stacks")
    guard FileManager.default.isExecutableFile(atPath: stacks) else {
      throw XCTSkip("examples/bin/stacks was not built (needs Go and golang-gopkg-yaml.v3-dev)")
    }
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    let m = b.mapping(Mapping(start: 0x400000, limit: 0x900000, fileOffset: 0, filename: b.intern(stacks)))
    for (i, name) in ranked.enumerated() {
      let f = b.function(name)
      let l = b.location(Location(address: 0x401000 + UInt64(i) * 0x100, mapping: m, lines: [Line(function: f)]))
      b.addSample(leafFirst: [l], values: [Int64(100 - i)])
    }
    return TraceTopSelection.select(ranked: ranked, profile: b.build(), executable: stacks, count: count)
  }

  func testUserCodeIsPreferredAndSingleSteppedEntriesAreSkipped() throws {
    let ranked = ["runtime.memmove", "runtime.mallocgc", "main.deepMerge", "main.parseFile"]
    let two = try select(ranked, count: 2)
    XCTAssertEqual(two.choices.map(\.display), ["main.deepMerge", "main.parseFile"])
    XCTAssertEqual(two.skipped.map(\.name), ["runtime.memmove", "runtime.mallocgc"])
    XCTAssertTrue(two.skipped[0].reason.contains("single-stepped"), two.skipped[0].reason)
    XCTAssertTrue(two.skipped[1].reason.contains("user code preferred"), two.skipped[1].reason)
    // A third place goes to the runtime function with a cheap entry, never to the single-stepped one.
    let three = try select(ranked, count: 3)
    XCTAssertEqual(three.choices.map(\.display), ["main.deepMerge", "main.parseFile", "runtime.mallocgc"])
    XCTAssertEqual(three.skipped.map(\.name), ["runtime.memmove"])
  }
}

/// trace-top says once per reason which functions it skipped.
final class TraceTopSkipLinesTests: XCTestCase {
  func testSkipsWithOneReasonShareALine() {
    typealias Skip = TraceTopSelection.Skip
    let skipped = [
      Skip(name: "runtime.a", reason: "R"), Skip(name: "x", reason: "S"), Skip(name: "runtime.b", reason: "R"),
      Skip(name: "runtime.c", reason: "R"), Skip(name: "runtime.d", reason: "R"), Skip(name: "runtime.e", reason: "R"),
    ]
    XCTAssertEqual(
      TraceTopSelection.skipLines(skipped), ["runtime.a, runtime.b, runtime.c and 2 more: R", "x: S"])
  }
}

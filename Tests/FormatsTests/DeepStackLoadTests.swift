import ProfileModel
import XCTest

@testable import Formats

/// Stacks deeper than `StackDepthLimit.maxFrames` load with their leaf-most frames under a marker.
final class DeepStackLoadTests: XCTestCase {
  func testFoldedLineOfAMillionFramesKeepsTheLeafMostFrames() throws {
    let depth = 1_000_000
    var text = "main"
    for i in 1..<depth { text += ";f\(i)" }
    text += " 2\nmain 1\n"
    let p = try FoldedStacksReader.read(Array(text.utf8))
    XCTAssertEqual(p.total(column: 0), 3)
    let frames = p.stacks.frames(leafFirst: p.samples.stacks[0])
    XCTAssertEqual(frames.count, StackDepthLimit.maxFrames)
    let names = frames.map { p.name(of: p.locations[$0.index].lines[0].function) }
    XCTAssertEqual(names.first, "f\(depth - 1)")
    XCTAssertEqual(names[StackDepthLimit.maxFrames - 2], "f\(depth - StackDepthLimit.maxFrames + 1)")
    XCTAssertEqual(names.last, "[truncated \(depth - StackDepthLimit.maxFrames + 1) frames]")
    XCTAssertEqual(p.stacks.frames(leafFirst: p.samples.stacks[1]).count, 1, "shallow stacks are untouched")
  }

  func testTruncatedStacksRoundTripThroughPprof() throws {
    let text = String(repeating: "r;", count: 5000) + "leaf 4\n"
    let p = try FoldedStacksReader.read(Array(text.utf8))
    let again = try PprofDecoder.decode(try PprofEncoder.encode(p))
    let text2 = FoldedStacksWriter.write(p)
    XCTAssertTrue(FoldedStacksWriter.write(again) == text2, "reloading a truncated stack truncates nothing more")
    XCTAssertTrue(text2.hasPrefix("[truncated 906 frames];r;r;"), String(text2.prefix(40)))
    XCTAssertEqual(text2.split(separator: ";").count, StackDepthLimit.maxFrames)
    let twice = try FoldedStacksReader.read(Array(text2.utf8))
    XCTAssertTrue(FoldedStacksWriter.write(twice) == text2, "folded → folded is stable too")
  }
}

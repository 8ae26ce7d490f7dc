import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// `flame` and `export svg` through the shell: output, filters, flags and argument errors.
final class FlameCommandTests: XCTestCase {
  private func shell() -> CapturedShell {
    let shell = CapturedShell()
    shell.context.sessions.add(profile: ProfileFixtures.cpu(), name: "app", source: .run(command: ["./app"]))
    return shell
  }

  func testDrawsTheGraphAtTheGivenWidthWithoutColour() {
    let s = shell()
    XCTAssertEqual(s.runScript("flame --width 60\n").exitStatus, 0, s.stderr)
    let lines = s.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "flame [1] app | total 1.1s")
    XCTAssertEqual(lines[2].count, 60)
    XCTAssertTrue(lines[2].hasPrefix("main "), s.stdout)
    XCTAssertFalse(s.stdout.contains("\u{1B}["), "no colour when output is not a terminal")
  }

  func testFiltersDepthRootAndSampleColumnApply() {
    let s = shell()
    XCTAssertEqual(s.runScript("focus memcpy\nflame --width 40 --sample-index samples\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.contains("| total 3 samples"), s.stdout)
    XCTAssertFalse(s.stdout.contains("line3000"), s.stdout)
    let t = shell()
    XCTAssertEqual(t.runScript("flame --width 40 --depth 2 line2000\n").exitStatus, 0, t.stderr)
    XCTAssertTrue(t.stdout.contains("| 1 frames below the depth limit"), t.stdout)
    XCTAssertTrue(t.stdout.contains("\nline2000 "), t.stdout)
  }

  func testClockNeedsTheColumnAndErrorsAreClear() {
    let s = shell()
    XCTAssertEqual(s.runScript("flame --clock wall\n").exitStatus, 1)
    XCTAssertTrue(
      s.stderr.contains("session [1] has no wall values (it has samples, cpu; run --off-cpu records wall and offcpu)"),
      s.stderr)
    let t = shell()
    XCTAssertEqual(t.runScript("flame --diff 1\n").exitStatus, 1)
    XCTAssertTrue(t.stderr.contains("flame --diff needs two sessions"), t.stderr)
    let u = shell()
    XCTAssertEqual(u.runScript("flame --depth 0\n").exitStatus, 1)
    XCTAssertTrue(u.stderr.contains("--depth must be at least 1"), u.stderr)
  }

  func testDiffAgainstItselfColoursNothingAndSaysSoInTheLegend() {
    let s = shell()
    s.context.sessions.add(profile: ProfileFixtures.cpu(), name: "again", source: .run(command: ["./app"]))
    XCTAssertEqual(s.runScript("flame --diff --width 50 1 2\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.hasPrefix("flame --diff [1] app → [2] again"), s.stdout)
    XCTAssertTrue(s.stdout.contains("single runs: colours are unqualified"), s.stdout)
  }

  func testExportSVGWritesTheFlameGraphTheDiffAndTheHeatmap() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flame-export-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let s = shell()
    s.context.sessions.add(profile: ProfileFixtures.cpu(), name: "again", source: .run(command: ["./app"]))
    let flame = dir.appendingPathComponent("f.svg").path
    let diff = dir.appendingPathComponent("d.svg").path
    let heat = dir.appendingPathComponent("h.svg").path
    let script = "export svg --sort weight \(flame) 1\nexport svg --diff 1 2 \(diff)\nexport svg --heatmap \(heat)\n"
    XCTAssertEqual(s.runScript(script).exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stderr.contains("wrote \(flame) (svg, session [1] app)"), s.stderr)
    XCTAssertTrue(s.stderr.contains("wrote \(diff) (svg, diff [1] → [2])"), s.stderr)
    let f = try String(contentsOfFile: flame, encoding: .utf8)
    XCTAssertTrue(f.contains("siblings by weight"))
    XCTAssertTrue(f.hasSuffix("</svg>\n"))
    XCTAssertTrue(try String(contentsOfFile: diff, encoding: .utf8).contains("data-delta="))
    XCTAssertTrue(try String(contentsOfFile: heat, encoding: .utf8).contains("class=\"row\""))
    let t = shell()
    XCTAssertEqual(t.runScript("export svg --diff 1 \(flame)\n").exitStatus, 1)
    XCTAssertTrue(t.stderr.contains("export svg --diff needs two sessions and a file"), t.stderr)
    let u = shell()
    XCTAssertEqual(u.runScript("export pprof --sort weight \(flame)\n").exitStatus, 1)
    XCTAssertTrue(u.stderr.contains("--diff, --heatmap and --sort apply to svg"), u.stderr)
  }
}

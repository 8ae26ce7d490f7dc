import Analysis
import Foundation
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

@testable import Shell

/// Function names, file names, command lines and session names that carry ESC / BEL must not reach
/// the terminal raw from any command (colour off: no ESC at all; colour on: only perfsh's SGR codes).
final class ControlCharacterOutputTests: XCTestCase {
  static let retitle = "\u{1b}]0;pwned\u{07}"
  static let clear = "\u{1b}[2J"

  private func hostile(_ cpuScale: Int64 = 1) -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    let main = b.location(function: b.function("main", file: "main.c"), line: 3)
    let evil = b.location(function: b.function(Self.retitle, file: "evil\u{1b}[2J.c"), line: 7)
    let wipe = b.location(function: b.function(Self.clear, file: "wipe.c"), line: 9)
    b.addSample(leafFirst: [evil, main], values: [6, 6_000_000 * cpuScale])
    b.addSample(leafFirst: [wipe, evil, main], values: [3, 3_000_000 * cpuScale])
    b.withProfile {
      $0.run.command = ["./app", "\u{1b}]2;title\u{07}", "\u{9b}31m"]
      $0.run.elapsedNanos = 20_000_000
      $0.run.cpuNanos = 9_000_000
      $0.run.termination = .exited(0)
    }
    return b.build()
  }

  private func shell(color: Bool) -> CapturedShell {
    var settings = Settings()
    if color { try? settings.set("color", to: "always", origin: .command) }
    let shell = CapturedShell(settings: settings)
    shell.context.sessions.add(
      profile: hostile(), name: "evil\u{07}one", source: .run(command: ["./app", "\u{1b}[2J"]))
    shell.context.sessions.add(
      profile: hostile(2), name: "two", source: .file(path: "x\u{1b}[2J.pb.gz", format: "pprof"))
    return shell
  }

  static let commands = [
    "top", "top --cum", "peek .", "tree", "list .", "heatmap bar", "heatmap sparkline", "heatmap table",
    "compare 1 2", "summary", "info", "sessions", "use 1", "rename 2 'bad\u{1b}[31mname'", "sessions",
    "peek 'no\u{1b}[2Jmatch'", "list '\u{1b}]0;x'",
  ]

  /// Every byte ESC (and BEL, CSI) is part of one of perfsh's own `ESC [ digits m` codes.
  private func assertOnlyOwnEscapes(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line)
  {
    let scalars = Array(text.unicodeScalars)
    var i = 0
    while i < scalars.count {
      let c = scalars[i]
      if c == "\u{1b}" {
        var j = i + 1
        let ok = j < scalars.count && scalars[j] == "["
        j += 1
        while ok, j < scalars.count, scalars[j] == ";" || ("0"..."9").contains(scalars[j]) { j += 1 }
        guard ok, j < scalars.count, scalars[j] == "m" else {
          return XCTFail(
            "\(what): raw ESC at \(i): \(String(String.UnicodeScalarView(scalars[i..<min(i + 12, scalars.count)])).debugDescription)",
            file: file, line: line)
        }
        i = j + 1
        continue
      }
      if DisplayText.isControl(c) && c != "\n" && c != "\t" {
        return XCTFail(
          "\(what): raw control U+\(String(c.value, radix: 16)) in \(text.debugDescription)", file: file, line: line)
      }
      i += 1
    }
  }

  func testNoCommandWritesRawControlCharactersWithoutColour() {
    let s = shell(color: false)
    for command in Self.commands {
      _ = s.runScript(command + "\n", keepGoing: true)
    }
    let all = s.stdout + s.stderr
    XCTAssertFalse(all.unicodeScalars.contains("\u{1b}"), all.debugDescription)
    XCTAssertFalse(all.unicodeScalars.contains("\u{07}"), all.debugDescription)
    XCTAssertFalse(all.unicodeScalars.contains("\u{9b}"), all.debugDescription)
    // The escaped names are visible text.
    XCTAssertTrue(s.stdout.contains(#"\e]0;pwned\a"#), s.stdout)
    XCTAssertTrue(s.stdout.contains(#"\e[2J"#), s.stdout)
    XCTAssertTrue(s.stdout.contains(#"evil\e[2J.c"#), s.stdout)
    XCTAssertTrue(s.stdout.contains(#"evil\aone"#), s.stdout)
    XCTAssertTrue(s.stdout.contains(#"./app '\e]2;title\a' '\u{9b}31m'"#), s.stdout)
    XCTAssertTrue(s.stdout.contains(#"renamed [2] to bad\e[31mname"#), s.stdout)
  }

  func testEachCommandAloneWithColourKeepsOnlyItsOwnColourCodes() {
    for command in Self.commands {
      let s = shell(color: true)
      _ = s.runScript(command + "\n", keepGoing: true)
      assertOnlyOwnEscapes(s.stdout, command + " (stdout)")
      assertOnlyOwnEscapes(s.stderr, command + " (stderr)")
    }
  }

  func testTopRowsShowEscapedNamesAligned() {
    let s = shell(color: false)
    XCTAssertEqual(s.runScript("top\n").exitStatus, 0, s.stderr)
    XCTAssertTrue(s.stdout.contains("      flat  flat%   sum%        cum   cum%\n"), s.stdout)
    XCTAssertTrue(s.stdout.contains(#"  \e]0;pwned\a"# + "\n"), s.stdout)
    XCTAssertTrue(s.stdout.contains(#"  \e[2J"# + "\n"), s.stdout)
  }

  func testTerminalSafeKeepsColourAndLayout() {
    XCTAssertEqual(OutputChannel.terminalSafe("a\tb\n\u{1b}[1mbold\u{1b}[0m"), "a\tb\n\u{1b}[1mbold\u{1b}[0m")
    XCTAssertEqual(
      OutputChannel.terminalSafe("\u{1b}[38;2;1;2;0mx\u{1b}]0;t\u{07}\r"), "\u{1b}[38;2;1;2;0mx\\e]0;t\\a\\r")
    XCTAssertEqual(DisplayText.escapingControls("a\u{0}b\u{7f}c\u{85}"), "a\\x00b\\x7fc\\u{85}")
    // Source lines keep their indentation tabs; everything else is still escaped.
    XCTAssertEqual(DisplayText.escapingControls("\tx = 1\u{1b}", keepingTabs: true), "\tx = 1\\e")
  }
}

/// The interactive heatmap draws names, the command line and the details page without raw controls.
final class HeatmapViewControlCharacterTests: XCTestCase {
  func testFramesOfEveryModeAndTheDetailsPageEscapeNames() throws {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    let main = b.location(function: b.function("main", file: "m.c"), line: 1)
    let evil = b.location(function: b.function(ControlCharacterOutputTests.retitle, file: "e\u{1b}[2J.c"), line: 2)
    b.addSample(leafFirst: [evil, main], values: [5, 5_000_000])
    b.withProfile { $0.run.command = ["./app", ControlCharacterOutputTests.clear] }
    let profile = b.build()
    var store = SessionStore()
    let session = store.add(profile: profile, name: "s\u{07}", source: .run(command: ["./app"]))
    for color in [false, true] {
      var view = HeatmapView(heatmap: try Heatmap(profile: profile), session: session, mode: .bar, color: color)
      var frames: [String] = []
      for key: RawTerminal.Key in [.character("1"), .character("2"), .character("3"), .enter] {
        _ = view.handle(key, filter: { .none })
        frames.append(view.frame(columns: 100, rows: 40))
      }
      XCTAssertTrue(frames[3].contains(#"Function: \e]0;pwned\a"#), frames[3])
      for frame in frames {
        // The view's own codes: clear and home at the start, then SGR colour only.
        let body = String(frame.dropFirst("\u{1B}[H\u{1B}[2J".count))
        XCTAssertTrue(frame.hasPrefix("\u{1B}[H\u{1B}[2J"))
        XCTAssertFalse(body.unicodeScalars.contains("\u{07}"), body.debugDescription)
        let withoutSGR = body.replacingOccurrences(of: #"\u{1B}\[[0-9;]*m"#, with: "", options: .regularExpression)
        XCTAssertFalse(withoutSGR.unicodeScalars.contains("\u{1b}"), body.debugDescription)
        if !color { XCTAssertFalse(body.unicodeScalars.contains("\u{1b}"), body.debugDescription) }
      }
    }
  }
}

import Foundation
import PerfshTestSupport
import Shell
import XCTest

private final class FakeSessions: CompletionProvider {
  func candidates(for kind: ArgumentCompletion, prefix: String) -> [String] {
    let all = kind == .session ? ["1", "2", "@last", "baseline"] : ["main", "parse_value"]
    return all.filter { $0.hasPrefix(prefix) }
  }
}

final class CompleterTests: XCTestCase {
  private let completer = Completer(registry: CommandRegistry(), settingNames: SettingDefinition.all.map(\.name))

  func testCommandNames() {
    XCTAssertEqual(completer.complete("he").candidates, ["heatmap", "help"])
    XCTAssertEqual(completer.complete("hel").insertion, "p ")
    XCTAssertEqual(completer.complete("h").candidates, ["heatmap", "help", "hide", "history"])
    XCTAssertEqual(completer.complete("h").insertion, "")
    XCTAssertEqual(completer.complete("echo x; qu").candidates, ["quit"])
    XCTAssertEqual(completer.complete("zz").candidates, [])
  }

  func testFlagsAndDeclaredArguments() {
    XCTAssertEqual(completer.complete("history --").candidates, ["--help"])
    XCTAssertEqual(completer.complete("set f").candidates, ["freq"])
    XCTAssertEqual(completer.complete("set freq ").candidates, [])
    XCTAssertEqual(completer.complete("help se").candidates, ["serve", "sessions", "set"])
    XCTAssertEqual(completer.complete("heatmap sp").candidates, ["sparkline"])
    XCTAssertEqual(completer.complete("export py").candidates, [])
    XCTAssertEqual(completer.complete("export pp").candidates, ["pprof"])
  }

  func testFilePaths() throws {
    let directory = try ProcessRunner.temporaryDirectory("complete")
    defer { try? FileManager.default.removeItem(at: directory) }
    try "".write(to: directory.appendingPathComponent("check.perfsh"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(
      at: directory.appendingPathComponent("checks"), withIntermediateDirectories: true)
    try "".write(to: directory.appendingPathComponent(".hidden"), atomically: true, encoding: .utf8)
    let prefix = directory.path + "/"
    XCTAssertEqual(completer.complete("source \(prefix)che").candidates, [prefix + "check.perfsh", prefix + "checks/"])
    XCTAssertEqual(completer.complete("source \(prefix)checks").insertion, "/")
    XCTAssertEqual(completer.complete("source \(prefix)").candidates.count, 2)
    XCTAssertEqual(completer.complete("source \(prefix).h").candidates, [prefix + ".hidden"])
  }

  func testProviderAnswersSessionsAndFunctions() {
    var withSessions = completer
    let provider = FakeSessions()
    withSessions.provider = provider
    let registry = CommandRegistry([ProbeCommand.self])
    withSessions.registry = registry
    XCTAssertEqual(withSessions.complete("probe b").candidates, ["baseline"])
    XCTAssertEqual(withSessions.complete("probe 1 pa").candidates, ["parse_value"])
    XCTAssertEqual(withSessions.complete("probe 1 main --out ").candidates.isEmpty, false)
    XCTAssertEqual(withSessions.complete("probe --mo").candidates, ["--mode"])
    XCTAssertEqual(withSessions.complete("probe --mode ").candidates, ["bar", "table"])
  }
}

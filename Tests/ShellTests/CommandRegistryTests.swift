import PerfshTestSupport
import Shell
import XCTest

final class CommandRegistryTests: XCTestCase {
  let registry = CommandRegistry()

  func testLookupByNameAndAlias() throws {
    XCTAssertEqual(registry.lookup("help")?.name, "help")
    XCTAssertEqual(registry.lookup("exit")?.name, "quit")
    XCTAssertEqual(registry.lookup(".")?.name, "source")
    XCTAssertEqual(try registry.command(named: "quit").name, "quit")
    XCTAssertNil(registry.lookup("hlep"))
  }

  func testNamesAreUnique() {
    let names = registry.allNames
    XCTAssertEqual(names.count, Set(names).count, "duplicate command names or aliases: \(names)")
  }

  func testUnknownCommandSuggestsTheClosestName() {
    XCTAssertThrowsError(try registry.command(named: "hepl")) { error in
      XCTAssertEqual("\(error)", "unknown command 'hepl' (did you mean 'help'?)")
    }
    XCTAssertThrowsError(try registry.command(named: "histroy")) { error in
      XCTAssertEqual("\(error)", "unknown command 'histroy' (did you mean 'history'?)")
    }
    XCTAssertThrowsError(try registry.command(named: "zzzzzz")) { error in
      XCTAssertEqual("\(error)", "unknown command 'zzzzzz'")
    }
  }

  func testSuggestionDistance() {
    XCTAssertEqual(Suggestion.closest(to: "tpo", in: ["top", "tree", "peek"]), "top")
    XCTAssertEqual(Suggestion.editDistance(Array("tpo"), Array("top")), 1)
    XCTAssertEqual(Suggestion.editDistance(Array("kitten"), Array("sitting")), 3)
    XCTAssertNil(Suggestion.closest(to: "x", in: ["ab"]))
    XCTAssertNil(Suggestion.closest(to: "bogus", in: ["focus", "top"]), "two edits in five letters is not close")
    XCTAssertEqual(Suggestion.closest(to: "heatmpa", in: ["heatmap", "help"]), "heatmap")
  }

  func testEveryCommandHasSummaryGroupAndParsesItsHelp() {
    for command in registry.commands {
      XCTAssertFalse(command.summary.isEmpty, "\(command.name) has no summary")
      XCTAssertTrue(command.helpMessage().contains("USAGE:"), "\(command.name) help has no usage")
      XCTAssertTrue(command.flagNames.contains("--help"))
    }
  }

  func testHelpListsGroupsAndCommandDetails() {
    let shell = CapturedShell()
    let outcome = shell.runScript("help\nhelp quit")
    XCTAssertEqual(outcome.exitStatus, 0, shell.stderr)
    XCTAssertTrue(shell.stdout.hasPrefix("Capture:\n  run "), shell.stdout)
    XCTAssertTrue(shell.stdout.contains("\nShell:\n  help "), shell.stdout)
    XCTAssertTrue(shell.stdout.contains("\nAnalysis:\n  summary "), shell.stdout)
    XCTAssertTrue(shell.stdout.contains("  !CMD "))
    XCTAssertTrue(shell.stdout.contains("USAGE: quit [<status>]"))
    XCTAssertTrue(shell.stdout.contains("ALIASES: exit"))
  }

  func testBadFlagNamesTheFlagAndShowsUsage() {
    let shell = CapturedShell()
    let outcome = shell.runScript("history --bogus")
    XCTAssertEqual(outcome.exitStatus, 1)
    XCTAssertEqual(
      shell.stderr,
      """
      test.perfsh:1: history: unknown option '--bogus'
      usage: history [<count>]
      (see 'help history')

      """)
  }
}

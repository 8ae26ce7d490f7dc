import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// Tab completion of session references and of the current session's function names.
final class SessionCompletionTests: XCTestCase {
  func testSessionsAndFunctionsComplete() {
    let shell = CapturedShell()
    shell.context.sessions.add(profile: ProfileFixtures.cpu(), name: "baseline", source: .run(command: ["./app"]))
    shell.context.sessions.add(profile: ProfileFixtures.traced(), name: "traced", source: .run(command: ["./app"]))
    let completer = shell.context.completer
    XCTAssertEqual(completer.complete("use ").candidates, ["1", "2", "@last", "@prev", "baseline", "traced"])
    XCTAssertEqual(completer.complete("use ba").candidates, ["baseline"])
    XCTAssertEqual(completer.complete("info @l").candidates, ["@last"])
    // Functions come from the current session (the newest: traced).
    XCTAssertEqual(completer.complete("peek utils.U").candidates, ["utils.UnmarshalYAMLFromFile"])
    _ = try? shell.context.sessions.use("baseline")
    XCTAssertEqual(completer.complete("peek line1").candidates, ["line1000"])
    XCTAssertEqual(completer.complete("list line2").candidates, ["line2000", "line2001"])
  }

  func testNoSessionsCompleteToNothing() {
    let shell = CapturedShell()
    XCTAssertEqual(shell.context.completer.complete("use ").candidates, [])
    XCTAssertEqual(shell.context.completer.complete("peek ma").candidates, [])
  }
}

/// Function names that need quoting complete to a word that parses and matches literally.
final class FunctionCompletionQuotingTests: XCTestCase {
  func testCompletedFunctionWordTokenizesToARegexMatchingTheName() throws {
    let shell = CapturedShell()
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let name = "Swift.Hasher.init(seed: Swift.Int) -> Swift.Hasher"
    b.addSample(leafFirst: [b.location(function: b.function(name, systemName: "not-mangled"))], values: [1])
    shell.context.sessions.add(profile: b.build(), name: "s", source: .run(command: ["./app"]))
    let completion = shell.context.completer.complete("peek Swift.Hasher.i")
    XCTAssertEqual(completion.candidates, ["Swift.Hasher.i'nit\\(seed: Swift.Int\\) -> Swift.Hasher'"])
    let line = "peek " + completion.word + completion.insertion
    let words = try Tokenizer().tokenize(line).first?.tokens.map(\.text) ?? []
    XCTAssertEqual(words.count, 2, "peek and one word for the pattern: \(words)")
    XCTAssertEqual(words.dropFirst().first, "Swift.Hasher.init\\(seed: Swift.Int\\) -> Swift.Hasher")
    // And the command runs: the pattern matches the function.
    XCTAssertEqual(shell.runScript(line).exitStatus, 0, shell.stderr)
    XCTAssertTrue(shell.stdout.contains(name), shell.stdout)
  }

  func testPlainNamesStayUnquoted() {
    XCTAssertEqual(SessionCompletionProvider.patternWord("UnmarshalYAMLFromFile"), "UnmarshalYAMLFromFile")
    XCTAssertEqual(SessionCompletionProvider.patternWord("pkg.(*T).Run"), "'pkg.\\(\\*T\\).Run'")
    XCTAssertEqual(SessionCompletionProvider.patternWord("it's"), "'it'\\''s'")
  }
}

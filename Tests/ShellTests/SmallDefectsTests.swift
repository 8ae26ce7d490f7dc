import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// Issue 21's smaller defects: messages for `run -p`, a misspelt heatmap mode, and the
/// one-line confirmation of filters (the reports print the "Active filters:" block).
final class SmallDefectsTests: XCTestCase {
  func testRunWithPIDSaysAttachingIsNotSupported() {
    let shell = CapturedShell()
    XCTAssertEqual(shell.runScript("run -p 1").exitStatus, 1)
    XCTAssertTrue(shell.stderr.contains("to profile a running process use 'attach PID"), shell.stderr)
    XCTAssertFalse(shell.stderr.contains("command not found"), shell.stderr)
  }

  func testMisspeltHeatmapModeGetsADidYouMean() {
    let shell = CapturedShell()
    shell.context.sessions.add(profile: ProfileFixtures.cpu(), name: "cpu", source: .run(command: ["./app"]))
    XCTAssertEqual(shell.runScript("heatmap tabel").exitStatus, 1)
    XCTAssertTrue(shell.stderr.contains("did you mean 'table'?"), shell.stderr)
    // A real session name still works in that place.
    XCTAssertEqual(shell.runScript("heatmap table cpu").exitStatus, 0, shell.stderr)
  }

  func testFilterCommandsConfirmInOneLineAndReportsShowTheBlockOnce() {
    let shell = CapturedShell()
    shell.context.sessions.add(profile: ProfileFixtures.cpu(), name: "cpu", source: .run(command: ["./app"]))
    XCTAssertEqual(shell.runScript("focus line3000\nhide --kernel\ntop").exitStatus, 0, shell.stderr)
    XCTAssertTrue(shell.stdout.contains("filters on [1] cpu: focus=line3000\n"), shell.stdout)
    XCTAssertTrue(shell.stdout.contains("filters on [1] cpu: focus=line3000 hide=\\[k\\]$\n"), shell.stdout)
    XCTAssertEqual(shell.stdout.components(separatedBy: "Active filters:").count - 1, 1, shell.stdout)
    XCTAssertEqual(shell.runScript("unfilter\nfocus").exitStatus, 0, shell.stderr)
    XCTAssertTrue(shell.stdout.hasSuffix("no filters on [1] cpu\n"), shell.stdout)
  }

  func testNamesSettingAndFlag() {
    let shell = CapturedShell()
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    b.addSample(
      leafFirst: [b.location(function: b.function("ns::K<int>::g() const", systemName: "_ZNK2ns1KIiE1gEv"))],
      values: [3])
    shell.context.sessions.add(profile: b.build(), name: "cxx", source: .run(command: ["./app"]))
    XCTAssertEqual(shell.runScript("top").exitStatus, 0, shell.stderr)
    XCTAssertTrue(shell.stdout.hasSuffix("  ns::K::g\n"), shell.stdout)
    XCTAssertEqual(shell.runScript("top --names full").exitStatus, 0, shell.stderr)
    XCTAssertTrue(shell.stdout.hasSuffix("  ns::K<int>::g() const\n"), shell.stdout)
    XCTAssertEqual(shell.runScript("set names full\ntop").exitStatus, 0, shell.stderr)
    XCTAssertTrue(shell.stdout.hasSuffix("  ns::K<int>::g() const\n"), shell.stdout)
    XCTAssertEqual(shell.runScript("set names fulll").exitStatus, 1)
  }
}

import Foundation
import PerfshTestSupport
import XCTest

@testable import Shell

/// Scripts, `source`, the config and rc files and the history file: a FIFO or a link to
/// /dev/zero gives a clear message at once; CRLF files read line by line; a file that
/// sources itself stops at a depth limit naming the cycle.
final class HostileShellInputTests: XCTestCase {
  private var dir: String = ""

  override func setUpWithError() throws {
    dir = try ProcessRunner.temporaryDirectory("hostile-shell").path
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: dir)
  }

  private func write(_ name: String, _ text: String) throws -> String {
    let path = dir + "/" + name
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    return path
  }

  // MARK: FIFOs and /dev/zero

  func testSourceOfAFIFOOrDevZeroFailsAtOnce() throws {
    let fifo = dir + "/pipe.perfsh"
    try makeFIFO(fifo)
    let zero = dir + "/zero.perfsh"
    XCTAssertEqual(symlink("/dev/zero", zero), 0)
    let guardian = FIFOHangGuard(fifo: fifo)
    let shell = CapturedShell()
    let outcome = shell.runScript("source \(fifo)\nsource \(zero)\nsource \(dir)\n", keepGoing: true)
    XCTAssertTrue(guardian.finish(), "source of a FIFO must not block")
    XCTAssertEqual(outcome.failures, 3)
    XCTAssertEqual(
      shell.stderr,
      """
      test.perfsh:1: cannot read \(fifo): it is a FIFO, not a regular file
      test.perfsh:2: cannot read \(zero): it is a character device, not a regular file
      test.perfsh:3: cannot read \(dir): it is a directory

      """)
  }

  func testConfigFileThatIsAFIFOIsSkippedWithAWarning() throws {
    try FileManager.default.createDirectory(atPath: dir + "/config/perfsh", withIntermediateDirectories: true)
    let fifo = dir + "/config/perfsh/config"
    try makeFIFO(fifo)
    let guardian = FIFOHangGuard(fifo: fifo)
    let result = try PerfshBinary.run(
      ["-c", "echo ok"], environment: try PerfshBinary.environment(home: URL(fileURLWithPath: dir)))
    XCTAssertTrue(guardian.finish(), "a FIFO config file must not block")
    XCTAssertEqual(result.stdout, "ok\n")
    XCTAssertEqual(result.stderr, "perfsh: cannot read \(fifo): it is a FIFO, not a regular file; using defaults\n")
    XCTAssertEqual(result.status, 0)
  }

  func testConfigFileLinkedToDevZeroIsSkippedWithAWarning() throws {
    try FileManager.default.createDirectory(atPath: dir + "/config/perfsh", withIntermediateDirectories: true)
    let config = dir + "/config/perfsh/config"
    XCTAssertEqual(symlink("/dev/zero", config), 0)
    let result = try PerfshBinary.run(
      ["-c", "echo ok"], environment: try PerfshBinary.environment(home: URL(fileURLWithPath: dir)))
    XCTAssertEqual(result.stdout, "ok\n")
    XCTAssertEqual(
      result.stderr, "perfsh: cannot read \(config): it is a character device, not a regular file; using defaults\n")
  }

  func testRCFileThatIsAFIFOIsSkippedWithAWarning() throws {
    let fifo = dir + "/.perfshrc"
    try makeFIFO(fifo)
    let guardian = FIFOHangGuard(fifo: fifo)
    let shell = CapturedShell(environment: ["HOME": dir])
    XCTAssertEqual(shell.runInteractive(ScriptedLineReader(lines: ["echo after"]), runRCFile: true), 0)
    XCTAssertTrue(guardian.finish(), "a FIFO rc file must not block")
    XCTAssertEqual(shell.stderr, "perfsh: cannot read \(fifo): it is a FIFO, not a regular file\n")
  }

  func testRCFileLinkedToDevZeroIsSkippedWithAWarning() throws {
    XCTAssertEqual(symlink("/dev/zero", dir + "/.perfshrc"), 0)
    let shell = CapturedShell(environment: ["HOME": dir])
    let status = shell.runInteractive(ScriptedLineReader(lines: ["echo after"]), runRCFile: true)
    XCTAssertEqual(status, 0)
    XCTAssertEqual(shell.stdout, "after\n")
    XCTAssertEqual(shell.stderr, "perfsh: cannot read \(dir)/.perfshrc: it is a character device, not a regular file\n")
  }

  func testHistoryFileThatIsAFIFOOrDevZeroIsRefused() throws {
    let fifo = dir + "/history"
    try makeFIFO(fifo)
    let guardian = FIFOHangGuard(fifo: fifo)
    XCTAssertThrowsError(try EditLineReader(historyFile: fifo, historySize: 100)) { error in
      XCTAssertEqual("\(error)", "cannot read \(fifo): it is a FIFO, not a regular file")
    }
    XCTAssertTrue(guardian.finish(), "a FIFO history file must not block")
    let zero = dir + "/zero-history"
    XCTAssertEqual(symlink("/dev/zero", zero), 0)
    XCTAssertThrowsError(try EditLineReader(historyFile: zero, historySize: 100)) { error in
      XCTAssertEqual("\(error)", "cannot read \(zero): it is a character device, not a regular file")
    }
  }

  func testHistoryIsNotSavedIntoAFIFOThatAppearsLater() throws {
    let path = dir + "/later/history"
    let reader = try EditLineReader(historyFile: path, historySize: 100)
    reader.addHistory("echo one")
    XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("echo\\040one"))
    unlink(path)
    try makeFIFO(path)
    let guardian = FIFOHangGuard(fifo: path)
    reader.addHistory("echo two")
    XCTAssertTrue(guardian.finish(), "saving history must not block on a FIFO")
  }

  func testHistoryFileWithCRLFLoadsWithoutCarriageReturns() throws {
    let path = try write("crlf-history", "_HiStOrY_V2_\r\ntop\\04010\r\necho\\040hi\r\n")
    let reader = try EditLineReader(historyFile: path, historySize: 100)
    XCTAssertEqual(reader.loadedHistory, ["top 10", "echo hi"])
  }

  func testHistoryWrittenByLibeditReadsBackUnchanged() throws {
    let path = dir + "/state/history"
    let entries = ["top 10", "echo \"a\tb\" \\x", "list 'é ü'", "run ./x --flag=1"]
    do {
      let writer = try EditLineReader(historyFile: path, historySize: 100)
      for entry in entries { writer.addHistory(entry) }
    }
    let text = try String(contentsOfFile: path, encoding: .utf8)
    XCTAssertTrue(text.hasPrefix("_HiStOrY_V2_\n"), text)
    XCTAssertEqual(try EditLineReader(historyFile: path, historySize: 100).loadedHistory, entries)
    XCTAssertEqual(try EditLineReader(historyFile: path, historySize: 2).loadedHistory, Array(entries.suffix(2)))
  }

  func testUnvisDecodesEveryFormLibeditWrites() {
    XCTAssertEqual(HistoryFile.unvis("a\\040b\\011c\\\\d"), "a b\tc\\d")
    XCTAssertEqual(HistoryFile.unvis("\\^I\\^?\\M-C\\M-)"), "\t\u{7f}é")
    XCTAssertEqual(HistoryFile.unvis("trailing\\"), "trailing\\")
    XCTAssertEqual(HistoryFile.unvis("\\q"), "\\q")
  }

  // MARK: CRLF

  func testCRLFScriptRunsOneCommandPerLineAndAFailingAssertStopsIt() {
    let shell = CapturedShell()
    let outcome = shell.runScript("echo one\r\necho two\r\n\r\nbogus\r\necho never\r\n", file: "gate.perfsh")
    XCTAssertEqual(outcome.exitStatus, 1)
    XCTAssertEqual(shell.stdout, "one\ntwo\n")
    XCTAssertEqual(shell.stderr, "gate.perfsh:4: unknown command 'bogus'\n")
  }

  func testLinesSplitOnLFWithOptionalCR() {
    XCTAssertEqual(TextLines.split("a\r\nb\nc\r\n"), ["a", "b", "c"])
    XCTAssertEqual(TextLines.split("a\r\n\r\nb"), ["a", "", "b"])
    XCTAssertEqual(TextLines.split(""), [])
    XCTAssertEqual(TextLines.split("\n"), [""])
    XCTAssertEqual(TextLines.split("x\ry\r\n"), ["x\ry"], "a lone CR inside a line is kept")
    XCTAssertEqual(TextLines.split("é\r\nü"), ["é", "ü"])
  }

  func testCRLFConfigFileParses() {
    let file = ConfigFile(path: "cfg", text: "# comment\r\nfreq = 99\r\ncolor = \"never\"\r\nbroken\r\n")
    XCTAssertEqual(file.lines.map(\.name), ["freq", "color"])
    XCTAssertEqual(file.lines.map(\.value), ["99", "never"])
    XCTAssertEqual(file.lines.map(\.number), [2, 3])
    XCTAssertEqual(file.problems, ["cfg:4: expected 'name = value'"])
  }

  // MARK: source recursion

  func testSourceCycleStopsAtTheDepthLimitNamingTheCycle() throws {
    let a = try write("a.perfsh", "echo a\r\nsource \(dir)/b.perfsh\r\n")
    _ = try write("b.perfsh", "source \(dir)/a.perfsh\n")
    let shell = CapturedShell()
    let outcome = shell.runScript("source \(a)\necho never\n", file: "top.perfsh")
    XCTAssertEqual(outcome.exitStatus, 1)
    // 64 open scripts: top.perfsh, then a and b in turn; the 64th is a, at its line 2.
    XCTAssertEqual(
      shell.stderr,
      "\(dir)/a.perfsh:2: source nested more than 64 levels deep; a file sources itself: "
        + "\(dir)/b.perfsh -> \(dir)/a.perfsh -> \(dir)/b.perfsh\n")
    XCTAssertEqual(shell.stdout.split(separator: "\n").count, 32, "a.perfsh ran 32 times")
    XCTAssertEqual(shell.context.scriptStack, [])
  }

  func testSelfSourcingFileIsRecognisedThroughAnotherSpelling() throws {
    _ = try write("self.perfsh", "source ./self.perfsh\n")
    let shell = CapturedShell()
    let saved = FileManager.default.currentDirectoryPath
    XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir))
    defer { _ = FileManager.default.changeCurrentDirectoryPath(saved) }
    shell.runScript("source \(dir)/self.perfsh\n")
    XCTAssertTrue(shell.stderr.hasSuffix("a file sources itself: ./self.perfsh -> ./self.perfsh\n"), shell.stderr)
  }
}

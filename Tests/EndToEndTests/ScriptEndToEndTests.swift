import Foundation
import PerfshTestSupport
import XCTest

/// Runs the built perfsh binary on scripts, `-c` strings and pipes.
final class ScriptEndToEndTests: XCTestCase {
  private var home: URL!
  private var environment: [String: String] = [:]

  override func setUpWithError() throws {
    home = try ProcessRunner.temporaryDirectory("e2e")
    environment = try PerfshBinary.environment(home: home)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: home)
  }

  private func script(_ name: String, _ text: String, executable: Bool = false) throws -> URL {
    let url = home.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
    return url
  }

  private func perfsh(_ arguments: [String], stdin: String = "") throws -> ProcessResult {
    try PerfshBinary.run(arguments, stdin: stdin, environment: environment, directory: home)
  }

  func testFailingLineReportsFileAndLineAndExitsOne() throws {
    _ = try script("check.perfsh", "echo first\n# a comment\n\nset freq fast\necho never\n")
    let result = try perfsh(["check.perfsh"])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stdout, "first\n")
    XCTAssertEqual(
      result.stderr, "check.perfsh:4: invalid value 'fast' for freq: expected a whole number from 1 to 100000\n")
  }

  func testScriptThatEndsNormallyExitsZero() throws {
    _ = try script("ok.perfsh", "echo a; echo b\n")
    let result = try perfsh(["ok.perfsh"])
    XCTAssertEqual(result, ProcessResult(stdout: "a\nb\n", stderr: "", status: 0))
  }

  func testKeepGoingRunsTheRestAndExitsOne() throws {
    _ = try script("many.perfsh", "tpo\necho two\nbogus --x\necho four\n")
    let result = try perfsh(["--keep-going", "many.perfsh"])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stdout, "two\nfour\n")
    XCTAssertEqual(
      result.stderr,
      "many.perfsh:1: unknown command 'tpo' (did you mean 'top'?)\nmany.perfsh:3: unknown command 'bogus'\n")
  }

  func testPositionalArguments() throws {
    _ = try script("args.perfsh", "echo first=$1 second=$2 count=$#\necho all: $@\necho \"$@\" | $0\n")
    let result = try perfsh(["args.perfsh", "one", "two words", "--three"])
    XCTAssertEqual(result.stderr, "")
    XCTAssertEqual(
      result.stdout,
      """
      first=one second=two words count=3
      all: one two words --three
      one two words --three | args.perfsh

      """)
  }

  func testShebangScript() throws {
    let url = try script("hello", "#!/usr/bin/env perfsh\necho hello from $1\nquit 3\n", executable: true)
    let result = try ProcessRunner.run(url, ["shebang"], environment: environment, directory: home)
    XCTAssertEqual(result, ProcessResult(stdout: "hello from shebang\n", stderr: "", status: 3))
  }

  func testDashC() throws {
    let ok = try perfsh(["-c", "echo 'a;b'; echo $1 ${HOME}", "x"])
    XCTAssertEqual(ok, ProcessResult(stdout: "a;b\nx \(home.path)\n", stderr: "", status: 0))
    let failing = try perfsh(["-c", "echo a; hepl; echo b"])
    XCTAssertEqual(
      failing, ProcessResult(stdout: "a\n", stderr: "-c:1: unknown command 'hepl' (did you mean 'help'?)\n", status: 1))
  }

  func testPipedStandardInputIsReadLineByLine() throws {
    let result = try perfsh([], stdin: "help\necho piped\n")
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stdout.hasPrefix("Capture:\n  run "), result.stdout)
    XCTAssertTrue(result.stdout.contains("\nShell:\n  help "), result.stdout)
    XCTAssertTrue(result.stdout.hasSuffix("piped\n"))
    XCTAssertFalse(result.stdout.contains("perfsh> "))
  }

  func testOneCommandFromTheCommandLineAndAScriptFileWins() throws {
    XCTAssertEqual(try perfsh(["echo", "one", "shot"]), ProcessResult(stdout: "one shot\n", stderr: "", status: 0))
    XCTAssertEqual(try perfsh(["quit", "5"]).status, 5)
    _ = try script("echo", "echo the script ran\n")
    XCTAssertEqual(try perfsh(["echo", "x"]).stdout, "the script ran\n")
    let unknown = try perfsh(["tpo"])
    XCTAssertEqual(unknown.status, 2)
    XCTAssertEqual(unknown.stderr, "perfsh: unknown command 'tpo' (did you mean 'top'?)\n")
  }

  func testVersionHelpAndBadOptions() throws {
    let version = try perfsh(["--version"])
    XCTAssertEqual(version.status, 0)
    XCTAssertTrue(version.stdout.hasPrefix("perfsh "), version.stdout)
    let help = try perfsh(["--help"])
    XCTAssertEqual(help.status, 0)
    XCTAssertTrue(help.stdout.contains("--keep-going"))
    XCTAssertTrue(help.stdout.contains("--color VALUE"))
    let bad = try perfsh(["--colr", "never"])
    XCTAssertEqual(bad.status, 2)
    XCTAssertTrue(bad.stderr.hasPrefix("perfsh: unknown option '--colr' (did you mean '--color'?)"), bad.stderr)
  }

  func testSettingsPrecedenceThroughTheBinary() throws {
    let configDirectory = home.appendingPathComponent("config/perfsh")
    try FileManager.default.createDirectory(at: configDirectory, withIntermediateDirectories: true)
    try "freq = 111\nnodecount = 5\ncolor = always\n"
      .write(to: configDirectory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
    environment["PERFSH_NODECOUNT"] = "6"
    environment["NO_COLOR"] = "1"
    let result = try perfsh(["--freq", "222", "set"])
    XCTAssertEqual(result.status, 0, result.stderr)
    let rows = result.stdout.split(separator: "\n").dropFirst().map {
      $0.split(separator: " ").prefix(3).joined(separator: " ")
    }
    XCTAssertEqual(
      rows,
      [
        "color never environment", "freq 222 flag", "nodecount 6 environment", "histsize 1000 default",
        "names simple default", "offcpu off default", "offcpumethod auto default", "sampler auto default",
        "allthreads off default",
        "traceconfirm on default", "tracebackend auto default",
      ])
    XCTAssertTrue(result.stdout.contains("config file") == false)
    environment["NO_COLOR"] = nil
    environment["PERFSH_NODECOUNT"] = nil
    let fromConfig = try perfsh(["set", "nodecount"])
    XCTAssertTrue(fromConfig.stdout.contains("config file (\(configDirectory.path)/config:2)"), fromConfig.stdout)
  }
}

import ArgumentParser
import Shell
import XCTest

/// A command defined outside the Shell module, as later commands will be: proves the
/// protocol is enough to declare flags, completions and run through the executor.
struct ProbeCommand: ShellCommand {
  static let configuration = CommandConfiguration(commandName: "probe", abstract: "Test command.")
  static var shell: CommandSpec {
    CommandSpec(
      group: .analysis, arguments: [.session, .function, .file],
      options: ["--mode": .choices(["bar", "table"]), "--out": .file])
  }

  @Option(help: "How to show it.") var mode: String = "bar"
  @Option(help: "Where to write.") var out: String?
  @Argument(help: "Session.") var session: String?
  @Argument(help: "Function.") var function: String?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    context.out.write("\(mode) \(session ?? "-") \(function ?? "-")\n")
    return CommandStatus(exitStatus: 7)
  }
}

final class ExternalCommandTests: XCTestCase {
  func testACommandFromAnotherModuleRunsWithItsFlagsAndStatus() throws {
    let context = ShellContext(out: .capture(), err: .capture(), registry: CommandRegistry([ProbeCommand.self]))
    let status = try CommandExecutor.run(line: "probe --mode table @last main", in: context)
    XCTAssertEqual(status.exitStatus, 7)
    XCTAssertEqual(context.out.text, "table @last main\n")
    XCTAssertThrowsError(try CommandExecutor.run(line: "probe --mod x", in: context)) { error in
      XCTAssertTrue(
        "\(error)".hasPrefix("probe: unknown option '--mod'. Did you mean '--mode'?\nusage: probe [--mode <mode>]"),
        "\(error)")
    }
  }

  func testLaunchOptions() throws {
    let isFile: (String) -> Bool = { $0 == "script.perfsh" || $0 == "help" }
    XCTAssertEqual(try LaunchOptions.parse([], isFile: isFile).mode, .shell)
    XCTAssertEqual(
      try LaunchOptions.parse(["script.perfsh", "a", "--x"], isFile: isFile).mode,
      .script(path: "script.perfsh", arguments: ["a", "--x"]))
    XCTAssertEqual(try LaunchOptions.parse(["help"], isFile: isFile).mode, .script(path: "help", arguments: []))
    XCTAssertEqual(
      try LaunchOptions.parse(["set", "--color", "x"], isFile: isFile).mode, .command(["set", "--color", "x"]))
    let options = try LaunchOptions.parse(
      ["--color", "never", "--freq=5", "-k", "--no-rc", "-c", "echo", "1"], isFile: isFile)
    XCTAssertEqual(options.settings, ["color": "never", "freq": "5"])
    XCTAssertTrue(options.keepGoing)
    XCTAssertTrue(options.skipRC)
    XCTAssertEqual(options.mode, .commandString("echo", arguments: ["1"]))
    XCTAssertThrowsError(try LaunchOptions.parse(["hepl"], isFile: isFile)) {
      XCTAssertEqual("\($0)", "unknown command 'hepl' (did you mean 'help'?)")
    }
    XCTAssertThrowsError(try LaunchOptions.parse(["./missing.perfsh"], isFile: isFile)) {
      XCTAssertEqual("\($0)", "cannot read ./missing.perfsh: no such file")
    }
    XCTAssertThrowsError(try LaunchOptions.parse(["--colour", "x"], isFile: isFile)) {
      XCTAssertTrue("\($0)".hasPrefix("unknown option '--colour' (did you mean '--color'?)"))
    }
    XCTAssertThrowsError(try LaunchOptions.parse(["-c"], isFile: isFile))
  }
}

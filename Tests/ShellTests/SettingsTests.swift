import PerfshTestSupport
import Shell
import XCTest

final class SettingsTests: XCTestCase {
  private let config = ConfigFile(
    path: "/c/config",
    text: """
      # comment
      freq = 250
      nodecount = "7"
      color=always

      """)

  func testDefaultsWhenNothingIsSet() throws {
    let (settings, warnings) = try Settings.resolve(flags: [:], environment: [:], config: nil)
    XCTAssertEqual(warnings, [])
    XCTAssertEqual(settings.frequency, 999)
    XCTAssertEqual(settings.colorMode, .auto)
    XCTAssertEqual(settings.nodeCount, 10)
    XCTAssertEqual(settings.entry("freq")?.origin, .defaultValue)
  }

  func testConfigBeatsDefaults() throws {
    let (settings, _) = try Settings.resolve(flags: [:], environment: [:], config: config)
    XCTAssertEqual(settings.frequency, 250)
    XCTAssertEqual(settings.nodeCount, 7)
    XCTAssertEqual(settings.entry("freq"), Settings.Entry(value: "250", origin: .configFile, source: "/c/config:2"))
    XCTAssertEqual(settings.entry("histsize")?.origin, .defaultValue)
  }

  func testEnvironmentBeatsConfigAndFlagsBeatEnvironment() throws {
    let environment = ["PERFSH_FREQ": "500", "PERFSH_NODECOUNT": "9"]
    let (settings, _) = try Settings.resolve(flags: ["freq": "1999"], environment: environment, config: config)
    XCTAssertEqual(settings.entry("freq"), Settings.Entry(value: "1999", origin: .flag, source: "--freq"))
    XCTAssertEqual(
      settings.entry("nodecount"), Settings.Entry(value: "9", origin: .environment, source: "PERFSH_NODECOUNT"))
    XCTAssertEqual(settings.entry("color")?.origin, .configFile)
  }

  func testNoColorIsAnEnvironmentValueThatFlagsAndPerfshColorOverride() throws {
    let quiet = try Settings.resolve(flags: [:], environment: ["NO_COLOR": "1"], config: config).settings
    XCTAssertEqual(quiet.colorMode, .never)
    XCTAssertEqual(quiet.entry("color")?.source, "NO_COLOR")
    let empty = try Settings.resolve(flags: [:], environment: ["NO_COLOR": ""], config: nil).settings
    XCTAssertEqual(empty.colorMode, .auto)
    let explicit = try Settings.resolve(
      flags: [:], environment: ["NO_COLOR": "1", "PERFSH_COLOR": "always"], config: nil)
    XCTAssertEqual(explicit.settings.colorMode, .always)
    let flagged = try Settings.resolve(flags: ["color": "ALWAYS"], environment: ["NO_COLOR": "1"], config: nil)
    XCTAssertEqual(flagged.settings.colorMode, .always)
  }

  func testBadEnvironmentAndConfigValuesWarnButBadFlagsThrow() throws {
    let file = ConfigFile(path: "cfg", text: "freq = fast\nfrq = 3\nnonsense\n")
    let (settings, warnings) = try Settings.resolve(flags: [:], environment: ["PERFSH_COLOR": "blue"], config: file)
    XCTAssertEqual(settings.frequency, 999)
    XCTAssertEqual(
      warnings,
      [
        "cfg:3: expected 'name = value'",
        "cfg:1: invalid value 'fast' for freq: expected a whole number from 1 to 100000",
        "cfg:2: unknown setting 'frq' (did you mean 'freq'?)",
        "PERFSH_COLOR: invalid value 'blue' for color: expected auto, always or never",
      ])
    XCTAssertThrowsError(try Settings.resolve(flags: ["freq": "0"], environment: [:], config: nil)) { error in
      XCTAssertEqual("\(error)", "invalid value '0' for freq: expected a whole number from 1 to 100000")
    }
  }

  func testSetCommandChangesAndListsOrigins() throws {
    let settings = try Settings.resolve(flags: [:], environment: ["PERFSH_FREQ": "400"], config: nil).settings
    let shell = CapturedShell(settings: settings)
    XCTAssertEqual(shell.runScript("set nodecount 5\nset color=never\nset").exitStatus, 0, shell.stderr)
    let lines = shell.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
    XCTAssertEqual(
      lines,
      [
        "NAME VALUE ORIGIN", "color never set", "freq 400 environment", "nodecount 5 set", "histsize 1000 default",
        "names simple default", "offcpu off default", "offcpumethod auto default", "sampler auto default",
        "allthreads off default",
        "traceconfirm on default", "tracebackend auto default",
      ])
    XCTAssertTrue(shell.stdout.contains("environment (PERFSH_FREQ)"))
    XCTAssertFalse(shell.context.useColor)
  }

  func testXDGPaths() {
    let defaults = ShellPaths(environment: ["HOME": "/home/u"])
    XCTAssertEqual(defaults.historyFile, "/home/u/.local/state/perfsh/history")
    XCTAssertEqual(defaults.configFile, "/home/u/.config/perfsh/config")
    XCTAssertEqual(defaults.rcFile, "/home/u/.perfshrc")
    let xdg = ShellPaths(environment: ["HOME": "/home/u", "XDG_STATE_HOME": "/s", "XDG_CONFIG_HOME": "relative"])
    XCTAssertEqual(xdg.historyFile, "/s/perfsh/history")
    XCTAssertEqual(xdg.configFile, "/home/u/.config/perfsh/config")
  }
}

/// One setting perfsh knows: its name, how to spell it as a flag and an environment
/// variable, its default, and which values it accepts.
public struct SettingDefinition: Sendable {
  /// The name used by `set` and in the config file (`freq`).
  public let name: String
  /// One line saying what the setting changes.
  public let summary: String
  /// The default when no flag, environment variable or config line sets it.
  public let defaultValue: String
  /// What `normalize` accepts, for error messages ("auto, always or never").
  public let expected: String
  /// Checks a value and returns its canonical spelling, or nil when it is not accepted.
  public let normalize: @Sendable (String) -> String?

  /// Makes a definition.
  public init(
    name: String, summary: String, defaultValue: String, expected: String,
    normalize: @escaping @Sendable (String) -> String?
  ) {
    self.name = name
    self.summary = summary
    self.defaultValue = defaultValue
    self.expected = expected
    self.normalize = normalize
  }

  /// The environment variable that sets it: `PERFSH_` + upper-cased name.
  public var environmentVariable: String { "PERFSH_" + name.uppercased() }

  /// The launch flag that sets it: `--` + name.
  public var flag: String { "--" + name }

  /// A setting that takes one of a fixed list of words.
  public static func choice(_ name: String, _ summary: String, default value: String, _ choices: [String])
    -> SettingDefinition
  {
    let expected =
      choices.count > 1
      ? choices.dropLast().joined(separator: ", ") + " or " + (choices.last ?? "")
      : choices.joined()
    return SettingDefinition(name: name, summary: summary, defaultValue: value, expected: expected) {
      let lowered = $0.lowercased()
      return choices.contains(lowered) ? lowered : nil
    }
  }

  /// A setting that takes a whole number in a range.
  public static func integer(_ name: String, _ summary: String, default value: Int, _ range: ClosedRange<Int>)
    -> SettingDefinition
  {
    let expected = "a whole number from \(range.lowerBound) to \(range.upperBound)"
    return SettingDefinition(name: name, summary: summary, defaultValue: String(value), expected: expected) {
      guard let number = Int($0), range.contains(number) else { return nil }
      return String(number)
    }
  }

  /// Every setting perfsh defines, in the order `set` lists them.
  public static let all: [SettingDefinition] = [
    .choice(
      "color", "colour output: auto (on a terminal), always or never", default: "auto",
      ["auto", "always", "never"]),
    .integer("freq", "sampling frequency in Hz used by run", default: 999, 1...100_000),
    .integer("nodecount", "rows shown by top (pprof's interactive default is 10)", default: 10, 1...100_000),
    .integer("histsize", "interactive history entries kept", default: 1000, 1...1_000_000),
    .choice(
      "names", "function names: simple (no return types, parameters or templates) or full",
      default: "simple", ["simple", "full"]),
    .choice("offcpu", "run records off-CPU time too (as run --off-cpu): on or off", default: "off", ["off", "on"]),
    .choice(
      "offcpumethod",
      "how off-CPU time is captured (as run --off-cpu-method): auto, bpf (in the kernel) or records",
      default: "auto", ["auto", "bpf", "records"]),
    .choice(
      "sampler",
      "how run samples on-CPU time (as run --sampler): auto, cpu (per-CPU events filtered to the target by BPF) or task (per-task events)",
      default: "auto", ["auto", "cpu", "task"]),
    .choice(
      "allthreads",
      "off-CPU views show every thread's waits (as --all-threads), not only the critical threads': on or off",
      default: "off", ["off", "on"]),
    .choice(
      "traceconfirm",
      "trace-top and run --trace ask (or stop a script) when a trial estimates a slowdown of 3x or more: on or off",
      default: "on", ["on", "off"]),
    .choice(
      "tracebackend",
      "run --trace pairs calls in the kernel with BPF (bpf), from ring records in perfsh (ring), or bpf when it can (auto)",
      default: "auto", ["auto", "bpf", "ring"]),
  ]
}

/// Where a setting's current value came from, strongest first.
public enum SettingOrigin: Int, Sendable, Comparable, CustomStringConvertible {
  /// Changed with `set NAME VALUE` during this run.
  case command = 0
  /// A launch flag (`--freq 499`).
  case flag
  /// An environment variable (`PERFSH_FREQ`, or `NO_COLOR` for color).
  case environment
  /// The config file.
  case configFile
  /// Nothing set it.
  case defaultValue

  /// Stronger origins compare smaller.
  public static func < (lhs: SettingOrigin, rhs: SettingOrigin) -> Bool { lhs.rawValue < rhs.rawValue }

  /// The word `set` prints for this origin.
  public var description: String {
    switch self {
    case .command: "set"
    case .flag: "flag"
    case .environment: "environment"
    case .configFile: "config file"
    case .defaultValue: "default"
    }
  }
}

import Analysis

/// The current value of every setting and where each came from.
///
/// Precedence: flags > environment (`PERFSH_*`; `NO_COLOR` counts as `color=never`)
/// > config file (`$XDG_CONFIG_HOME/perfsh/config`) > defaults. A later `set` beats all.
public struct Settings: Sendable {
  /// A value with its origin and, for files, the line that set it.
  public struct Entry: Sendable, Equatable {
    /// The canonical value.
    public var value: String
    /// Where it came from.
    public var origin: SettingOrigin
    /// Extra detail for `set`: the environment variable or `FILE:LINE`.
    public var source: String?

    /// Makes an entry.
    public init(value: String, origin: SettingOrigin, source: String?) {
      self.value = value
      self.origin = origin
      self.source = source
    }
  }

  /// The definitions these settings follow.
  public let definitions: [SettingDefinition]
  private var entries: [String: Entry]

  /// All settings at their defaults.
  public init(definitions: [SettingDefinition] = SettingDefinition.all) {
    self.definitions = definitions
    var entries: [String: Entry] = [:]
    for definition in definitions {
      entries[definition.name] = Entry(value: definition.defaultValue, origin: .defaultValue, source: nil)
    }
    self.entries = entries
  }

  /// Resolves every setting from its layers; bad values in the environment and the
  /// config file become `warnings` (they never stop the shell), bad flags throw.
  public static func resolve(
    flags: [String: String], environment: [String: String], config: ConfigFile?,
    definitions: [SettingDefinition] = SettingDefinition.all
  ) throws(ShellError) -> (settings: Settings, warnings: [String]) {
    var settings = Settings(definitions: definitions)
    var warnings: [String] = []
    if let config {
      warnings += config.problems
      for line in config.lines {
        do throws(ShellError) {
          try settings.set(line.name, to: line.value, origin: .configFile, source: "\(config.path):\(line.number)")
        } catch {
          warnings.append("\(config.path):\(line.number): \(error)")
        }
      }
    }
    if let noColor = environment["NO_COLOR"], !noColor.isEmpty {
      try? settings.set("color", to: "never", origin: .environment, source: "NO_COLOR")
    }
    for definition in definitions {
      guard let value = environment[definition.environmentVariable] else { continue }
      do throws(ShellError) {
        try settings.set(definition.name, to: value, origin: .environment, source: definition.environmentVariable)
      } catch {
        warnings.append("\(definition.environmentVariable): \(error)")
      }
    }
    for (name, value) in flags.sorted(by: { $0.key < $1.key }) {
      try settings.set(name, to: value, origin: .flag, source: "--" + name)
    }
    return (settings, warnings)
  }

  /// The definition with this name, or an error suggesting the closest name.
  public func definition(named name: String) throws(ShellError) -> SettingDefinition {
    if let definition = definitions.first(where: { $0.name == name }) { return definition }
    throw .unknownSetting(name, suggestion: Suggestion.closest(to: name, in: definitions.map(\.name)))
  }

  /// Sets a value after checking it.
  public mutating func set(_ name: String, to value: String, origin: SettingOrigin, source: String? = nil)
    throws(ShellError)
  {
    let definition = try definition(named: name)
    guard let canonical = definition.normalize(value) else {
      throw .invalidSetting(name: name, value: value, expected: definition.expected)
    }
    entries[name] = Entry(value: canonical, origin: origin, source: source)
  }

  /// The value and origin of a setting (nil for unknown names).
  public func entry(_ name: String) -> Entry? { entries[name] }

  /// The value of a setting, or its default spelling "" for unknown names.
  public subscript(_ name: String) -> String { entries[name]?.value ?? "" }

  /// `color`: auto, always or never.
  public var colorMode: ColorMode { ColorMode(rawValue: self["color"]) ?? .auto }

  /// `freq`: the sampling frequency in Hz for `run`.
  public var frequency: Int { Int(self["freq"]) ?? 999 }

  /// `offcpu`: whether `run` records off-CPU time without `--off-cpu`.
  public var offCPU: Bool { self["offcpu"] == "on" }
  /// `offcpumethod`: auto, bpf or records (`run --off-cpu-method`).
  public var offCPUMethod: String { self["offcpumethod"] }
  /// `sampler`: auto, cpu or task (`run --sampler`).
  public var sampler: String { self["sampler"] }
  /// `allthreads`: whether off-CPU views show waits nobody on the critical threads waited for.
  public var allThreads: Bool { self["allthreads"] == "on" }

  /// `tracebackend`: where traced calls are paired and aggregated.
  public var traceBackend: TraceBackend { TraceBackend(rawValue: self["tracebackend"]) ?? .auto }

  /// `nodecount`: how many rows tables show.
  public var nodeCount: Int { Int(self["nodecount"]) ?? 10 }

  /// `names`: simple (pprof's default) or full function names.
  public var nameStyle: NameStyle { NameStyle(rawValue: self["names"]) ?? .simple }

  /// `histsize`: how many history entries the interactive shell keeps.
  public var historySize: Int { Int(self["histsize"]) ?? 1000 }
}

/// When perfsh writes ANSI colours.
public enum ColorMode: String, Sendable, CaseIterable {
  /// Only when standard output is a terminal.
  case auto
  /// Always, even into a pipe.
  case always
  /// Never.
  case never
}

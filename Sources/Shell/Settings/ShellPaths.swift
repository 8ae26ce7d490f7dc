/// Where perfsh keeps its files, following the XDG base directory rules.
public struct ShellPaths: Sendable, Equatable {
  /// `$XDG_STATE_HOME/perfsh/history` (default `~/.local/state/perfsh/history`).
  public var historyFile: String
  /// `$XDG_CONFIG_HOME/perfsh/config` (default `~/.config/perfsh/config`).
  public var configFile: String
  /// `~/.perfshrc`: commands run when the interactive shell starts.
  public var rcFile: String

  /// Derives the paths from an environment (relative XDG values are ignored, as the spec says).
  public init(environment: [String: String]) {
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
    func base(_ variable: String, _ fallback: String) -> String {
      if let value = environment[variable], value.hasPrefix("/") { return value }
      return home.hasSuffix("/") ? home + fallback : home + "/" + fallback
    }
    historyFile = base("XDG_STATE_HOME", ".local/state") + "/perfsh/history"
    configFile = base("XDG_CONFIG_HOME", ".config") + "/perfsh/config"
    rcFile = home.hasSuffix("/") ? home + ".perfshrc" : home + "/.perfshrc"
  }
}

/// perfsh's version, printed by `perfsh --version`.
public enum PerfshVersion {
  /// The version string.
  public static let current = "0.1.0"
}

/// What one report row stands for, as pprof's `granularity` option.
public enum Granularity: String, Sendable, CaseIterable {
  /// One row per function (pprof's default).
  case functions
  /// One row per source file.
  case files
  /// One row per function and source line.
  case lines
  /// One row per code address (and its function and line).
  case addresses
}

import Analysis
import ArgumentParser

/// Flags shared by the analysis commands: which value column and what one row stands for.
struct ReportOptions: ParsableArguments {
  @Option(name: .customLong("sample-index"), help: "Value column by name (cpu, samples, …) or number.")
  var sampleIndex: String?

  @Flag(help: "What one row stands for (default: functions).")
  var granularity: GranularityFlag = .functions

  @OptionGroup var view: ViewOptions

  /// The analysis options for a session's profile and filters.
  func graphOptions(for session: Session, in context: ShellContext) throws(ShellError) -> GraphOptions {
    let filter = try context.filter(of: session)
    let column = try context.analyze { () throws(AnalysisError) in try session.profile.valueIndex(for: sampleIndex) }
    return GraphOptions(valueIndex: column, granularity: granularity.granularity, filter: filter)
  }
}

/// `--functions`, `--lines`, `--files`, `--addresses`.
enum GranularityFlag: String, EnumerableFlag {
  case functions, lines, files, addresses

  var granularity: Granularity {
    switch self {
    case .functions: return .functions
    case .lines: return .lines
    case .files: return .files
    case .addresses: return .addresses
    }
  }

  static func help(for value: GranularityFlag) -> ArgumentHelp? {
    switch value {
    case .functions: return "One row per function."
    case .lines: return "One row per source line."
    case .files: return "One row per source file."
    case .addresses: return "One row per instruction address."
    }
  }
}

/// Splits trailing words of `top [N] [SESSION]`-style commands: a number is a count,
/// anything else a session reference.
struct CountAndSession {
  var count: Int?
  var session: String?

  init(_ words: [String], command: String) throws(ShellError) {
    for word in words {
      if let n = Int(word), count == nil, n >= 0 {
        count = n
      } else if session == nil {
        session = word
      } else {
        throw .badArguments(command: command, message: "\(command): unexpected argument '\(word)'")
      }
    }
  }
}

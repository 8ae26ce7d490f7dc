/// Why `--trace` patterns could not be turned into probe sites.
public enum ProbeResolveError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The pattern is not a valid regular expression.
  case badPattern(pattern: String, reason: String)
  /// The pattern matched no function; `suggestions` are close names.
  case noMatch(pattern: String, file: String, suggestions: [String])
  /// More functions matched than allowed without `--trace-max`.
  case tooManyMatches(count: Int, limit: Int)
  /// The library named before the colon was not found.
  case libraryNotFound(name: String, searched: [String])
  /// A file could not be read or parsed as ELF.
  case unreadable(SymbolizeError)

  /// A lower-case human message.
  public var description: String {
    switch self {
    case .badPattern(let pattern, let reason):
      return "--trace '\(pattern)' is not a valid regular expression: \(reason)"
    case .noMatch(let pattern, let file, let suggestions):
      let hint = suggestions.isEmpty ? "" : "; close names: " + suggestions.joined(separator: ", ")
      return "--trace '\(pattern)' matches no function in \(file)\(hint)"
    case .tooManyMatches(let count, let limit):
      return "the --trace patterns match \(count) functions, more than \(limit): narrow them or raise --trace-max"
    case .libraryNotFound(let name, let searched):
      return "library \(name) not found among the command's dependencies (searched \(searched.joined(separator: ", ")))"
    case .unreadable(let error):
      return error.description
    }
  }
}

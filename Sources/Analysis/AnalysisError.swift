/// Why an analysis could not run: a bad option value named with what the user typed.
public enum AnalysisError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A regular expression given to `option` (focus, ignore, hide, peek, list…) does not compile.
  case badRegex(option: String, pattern: String, reason: String)
  /// `--sample-index NAME` names no sample type of the profile.
  case unknownSampleType(String, available: [String])
  /// `--sample-index N` is outside the profile's value columns.
  case sampleIndexOutOfRange(Int, count: Int)
  /// The profile has no value columns at all.
  case noSampleTypes
  /// `peek` or `list` found no node matching the expression (pprof reports this as an error).
  case noMatches(pattern: String)

  /// A lower-case message naming what was wrong.
  public var description: String {
    switch self {
    case .badRegex(let option, let pattern, let reason):
      return "\(option): bad regular expression '\(pattern)': \(reason)"
    case .unknownSampleType(let name, let available):
      let list = available.isEmpty ? "none" : available.joined(separator: ", ")
      return "no sample type named '\(name)' (the profile has: \(list))"
    case .sampleIndexOutOfRange(let index, let count):
      return "sample index \(index) is out of range (the profile has \(count) sample types)"
    case .noSampleTypes:
      return "the profile has no sample types"
    case .noMatches(let pattern):
      return "no matches found for regexp: \(pattern)"
    }
  }
}

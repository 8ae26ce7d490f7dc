/// A compiled regular expression matched anywhere in a name, as Go's `regexp.MatchString`.
///
/// Swift `Regex` is used rather than NSRegularExpression so Analysis needs no Foundation;
/// matching happens once per function or mapping, never per sample.
public struct NameMatcher: @unchecked Sendable {
  /// The expression as the user typed it.
  public let pattern: String
  private let regex: Regex<AnyRegexOutput>

  /// Compiles `pattern`; `option` names where it came from for the error message.
  public init(_ pattern: String, option: String = "regex") throws(AnalysisError) {
    do {
      regex = try Regex(pattern)
    } catch {
      throw .badRegex(option: option, pattern: pattern, reason: "\(error)")
    }
    self.pattern = pattern
  }

  /// True when the expression matches some part of `text`.
  public func matches(_ text: String) -> Bool {
    text.contains(regex)
  }
}

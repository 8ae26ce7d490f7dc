import Analysis
import ArgumentParser

/// `focus REGEX…`: keep only samples with a frame matching (pprof's focus).
struct FocusCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "focus",
    abstract: "Keep only samples that pass through a function matching REGEX.",
    discussion: """
      Several expressions are joined with |. Matches function names, source files and
      binaries, as pprof does. Applies to every analysis command until 'unfilter'.
      With no expression, clears the focus.

      EXAMPLES:
        focus '^parse'
        focus scan lex
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.function]) }

  @Argument(help: "Regular expressions.")
  var patterns: [String] = []

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    try ViewFilterEdit.apply(patterns, to: \.focus, name: "focus", in: context)
  }
}

/// Shared by focus / ignore / hide: checks the expressions compile, stores them on the
/// current session and says what is active.
enum ViewFilterEdit {
  static func apply(
    _ patterns: [String], to keyPath: WritableKeyPath<ViewFilters, [String]>, name: String, in context: ShellContext
  ) throws(ShellError) -> CommandStatus {
    let session = try context.session(nil)
    for p in patterns { _ = try context.analyze { () throws(AnalysisError) in try NameMatcher(p, option: name) } }
    context.sessions.update(session.id) { $0.filters[keyPath: keyPath] = patterns }
    let updated = try context.session(String(session.id))
    // One line that is not the reports' "Active filters:" block, which every report prints
    // again (a script showed the block twice in a row).
    let filters = updated.filters
    let parts = [("focus", filters.focus), ("ignore", filters.ignore), ("hide", filters.hide)]
      .filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1.joined(separator: "|"))" }
    let target = "[\(updated.id)] \(updated.name)"
    context.out.write(
      parts.isEmpty ? "no filters on \(target)\n" : "filters on \(target): \(parts.joined(separator: " "))\n")
    return .success
  }
}

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
    let lines = try context.filter(of: updated).descriptionLines
    context.out.write(lines.isEmpty ? "no active filters\n" : lines.joined(separator: "\n") + "\n")
    return .success
  }
}

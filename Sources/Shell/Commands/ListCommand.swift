import Analysis
import ArgumentParser
import Foundation
import Render

/// `list REGEX`: annotated source of matching functions, flat and cum per line.
struct ListCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "Show the source of functions matching REGEX with flat and cum per line.",
    discussion: """
      Source files are read from disk at the paths the debug info names (relative paths
      are tried against the current directory). When a file is not on disk the
      per-line numbers are still shown, without the text.

      EXAMPLES:
        list '^work_a$'
        list parse --sample-index samples
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.function, .session]) }

  @Argument(help: "Regular expression over function names.")
  var pattern: String

  @Argument(help: "Session (default: the current one).")
  var session: String?

  @Option(name: .customLong("sample-index"), help: "Value column by name (cpu, samples, …) or number.")
  var sampleIndex: String?

  @OptionGroup var view: ViewOptions

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let s = try context.session(session)
    let profile = try view.profile(of: s, in: context)
    let filter = try context.filter(of: s)
    let listing = try context.analyze { () throws(AnalysisError) in
      let column = try profile.valueIndex(for: sampleIndex)
      return try SourceListing(
        profile: profile, matching: NameMatcher(pattern, option: "list"),
        options: GraphOptions(valueIndex: column, filter: filter), source: SourceFiles.lines(of:))
    }
    var out = context.out
    SourceListingRenderer.write(listing, to: &out, options: RenderOptions(color: context.useColor))
    return .success
  }
}

/// Reads source files for `list`: whole lines, nil when missing, not a regular file (a FIFO
/// named by debug info must not hang the shell), over 64 MiB, or not text.
enum SourceFiles {
  static func lines(of path: String) -> [String]? {
    guard !path.isEmpty, let text = try? TextFile.read(path, limit: 64 << 20) else { return nil }
    return TextLines.split(text)
  }
}

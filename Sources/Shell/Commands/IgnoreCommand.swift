import ArgumentParser

/// `ignore REGEX…`: drop samples with a frame matching (pprof's ignore).
struct IgnoreCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "ignore",
    abstract: "Drop samples that pass through a function matching REGEX.",
    discussion: """
      With no expression, clears it. EXAMPLES:
        ignore 'runtime\\.'
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.function]) }

  @Argument(help: "Regular expressions.")
  var patterns: [String] = []

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    try ViewFilterEdit.apply(patterns, to: \.ignore, name: "ignore", in: context)
  }
}

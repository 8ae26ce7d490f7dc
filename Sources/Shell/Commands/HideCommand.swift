import ArgumentParser

/// `hide REGEX…`: remove matching frames from stacks (pprof's hide).
struct HideCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "hide",
    abstract: "Remove frames matching REGEX from every stack (their time goes to the caller).",
    discussion: """
      With no expression, clears it. EXAMPLES:
        hide 'libc\\.so'
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.function]) }

  @Argument(help: "Regular expressions.")
  var patterns: [String] = []

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    try ViewFilterEdit.apply(patterns, to: \.hide, name: "hide", in: context)
  }
}

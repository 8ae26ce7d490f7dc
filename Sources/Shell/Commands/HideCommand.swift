import Analysis
import ArgumentParser

/// `hide REGEX…`: remove matching frames from stacks (pprof's hide).
struct HideCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "hide",
    abstract: "Remove frames matching REGEX from every stack (their time goes to the caller).",
    discussion: """
      With no expression, clears it. Kernel functions are shown with a trailing [k];
      --kernel hides them all (adds the expression '\\[k\\]$'), charging kernel time to
      the user function that entered the kernel. EXAMPLES:
        hide 'libc\\.so'
        hide --kernel
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.function]) }

  @Argument(help: "Regular expressions.")
  var patterns: [String] = []

  @Flag(help: "Hide every kernel frame (the functions shown with [k]).")
  var kernel = false

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    try ViewFilterEdit.apply(
      kernel ? patterns + [ProfileView.kernelPattern] : patterns, to: \.hide, name: "hide", in: context)
  }
}

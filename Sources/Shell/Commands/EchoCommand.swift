import ArgumentParser

/// `echo WORDS…`: prints its arguments separated by spaces (handy in scripts).
struct EchoCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "echo",
    abstract: "Print the arguments, separated by spaces.",
    discussion: """
      EXAMPLES:
        echo "profiling $1"
        echo home is ${HOME}
      """)
  static var shell: CommandSpec { CommandSpec(group: .shell, arguments: [.none]) }

  @Argument(parsing: .captureForPassthrough, help: "The words to print.")
  var words: [String] = []

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    context.out.write(words.joined(separator: " ") + "\n")
    return .success
  }
}

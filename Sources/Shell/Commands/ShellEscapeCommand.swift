import ArgumentParser
import Foundation

/// `!CMD`: runs the rest of the line through `/bin/sh -c`, with the script's arguments
/// as `$1`…; a non-zero exit fails the line.
struct ShellEscapeCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "!",
    abstract: "Run the rest of the line through /bin/sh.",
    discussion: """
      Everything after ! (including ; and quotes) goes to /bin/sh -c unchanged; the
      script's arguments are $1, $2, … there too. A non-zero exit status fails the line.

      EXAMPLES:
        !ls -l
        !make -C examples
      """)
  static var shell: CommandSpec { CommandSpec(group: .shell, arguments: [.file]) }

  @Argument(parsing: .captureForPassthrough, help: "The /bin/sh command line.")
  var command: [String] = []

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let line = command.joined(separator: " ")
    guard !line.isEmpty else { throw .emptyShellEscape }
    context.flush()
    let environment = context.environment.isEmpty ? ProcessInfo.processInfo.environment : context.environment
    let status = try ChildProcess.run(
      ["/bin/sh", "-c", line, context.scriptName] + context.arguments, environment: environment)
    if status != 0 { throw .externalFailed(command: line, status: status) }
    return .success
  }
}

import ArgumentParser
import Foundation

/// `source FILE [ARGS…]`: runs a script's commands in this shell, with `$1`… set to ARGS.
struct SourceCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "source",
    abstract: "Run the commands in a file, in this shell.",
    discussion: """
      A failing line reports FILE:LINE and stops the file (unless --keep-going was given
      to perfsh). ARGS become $1, $2, … inside the file.

      EXAMPLES:
        source checks.perfsh
        source compare.perfsh ./old ./new
      """,
    aliases: ["."])
  static var shell: CommandSpec { CommandSpec(group: .shell, arguments: [.file, .none]) }

  @Argument(help: "The script to run.")
  var file: String

  @Argument(parsing: .captureForPassthrough, help: "Arguments for $1, $2, ….")
  var arguments: [String] = []

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let text = try ScriptFile.read(file)
    let outcome = ScriptRunner(context: context).run(text: text, file: file, arguments: arguments)
    if outcome.failures > 0 { throw .alreadyReported }
    return CommandStatus(exitStatus: outcome.exitStatus, quits: outcome.quit)
  }
}

/// Reading a script file's text with a clear error.
enum ScriptFile {
  /// The file's UTF-8 text.
  static func read(_ path: String) throws(ShellError) -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw .cannotRead(path: path, reason: "no such file")
    }
    if isDirectory.boolValue { throw .cannotRead(path: path, reason: "it is a directory") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .cannotRead(path: path, reason: "permission denied")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw .cannotRead(path: path, reason: "not UTF-8 text")
    }
    return text
  }
}

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

  /// Most scripts open at once (the outermost script and those it sources). A file that
  /// sources itself would otherwise recurse until the stack overflows.
  static let maximumDepth = 64

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    if context.scriptStack.count >= Self.maximumDepth {
      throw .command(Self.tooDeep(context.scriptStack, sourcing: file))
    }
    let text = try ScriptFile.read(file)
    let outcome = ScriptRunner(context: context).run(text: text, file: file, arguments: arguments)
    if outcome.failures > 0 { throw .alreadyReported }
    return CommandStatus(exitStatus: outcome.exitStatus, quits: outcome.quit)
  }
}

extension SourceCommand {
  /// The message for nesting past `maximumDepth`: the cycle when `file` is already open
  /// (`a.perfsh -> b.perfsh -> a.perfsh`), else the innermost scripts.
  static func tooDeep(_ stack: [String], sourcing file: String) -> CommandFailure {
    let identity = canonical(file)
    if let start = stack.lastIndex(where: { canonical($0) == identity }) {
      return .sourceTooDeep(maximum: maximumDepth, chain: Array(stack[start...]) + [file], cycle: true)
    }
    return .sourceTooDeep(maximum: maximumDepth, chain: stack.suffix(4) + [file], cycle: false)
  }

  /// The absolute, symlink-free path of `path` when it exists, so `a.perfsh` and `./a.perfsh`
  /// are recognised as one file.
  private static func canonical(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}

/// Reading a script file's text with a clear error.
enum ScriptFile {
  /// The file's UTF-8 text (regular files only, at most `TextFile.scriptLimit` bytes).
  static func read(_ path: String) throws(ShellError) -> String {
    try TextFile.read(path)
  }
}

import ArgumentParser
import Capture

/// Runs command lines: tokenizes, finds each command, parses its flags with
/// swift-argument-parser, and runs it. Errors are thrown, never printed here.
public enum CommandExecutor {
  /// Runs every `;`-separated command on `line`; stops at the first failure, `quit` or SIGHUP.
  /// Returns the last command's status (success for an empty line).
  public static func run(line: String, in context: ShellContext) throws(ShellError) -> CommandStatus {
    var status = CommandStatus.success
    for command in try context.tokenizer.tokenize(line) {
      if Hangup.received { break }  // also for lines of a sourced file after a hangup
      status = try run(words: command.words, in: context)
      context.flush()
      if status.quits { break }
    }
    return status
  }

  /// Runs one command given as words (the name first), without tokenizing: this is
  /// how `perfsh CMD ARGS…` passes its arguments.
  public static func run(words: [String], in context: ShellContext) throws(ShellError) -> CommandStatus {
    guard let name = words.first else { return .success }
    let type = try context.registry.command(named: name)
    return try invoke(type, arguments: Array(words.dropFirst()), in: context)
  }

  /// Most words handed to the argument parser, whose cost grows with the square of a repeating
  /// argument's length; the words of a `PassthroughTailCommand` past it are appended directly.
  static let parsedWordLimit = 256

  private static func invoke<C: ShellCommand>(
    _ type: C.Type, arguments: [String], in context: ShellContext
  ) throws(ShellError) -> CommandStatus {
    let command: C
    do {
      if var common = C.parseCommonForm(arguments) {
        try common.validate()
        command = common
      } else {
        command = arguments.count <= parsedWordLimit ? try C.parse(arguments) : try parseLong(C.self, arguments)
      }
    } catch let error as ShellError {
      throw error
    } catch {
      if C.exitCode(for: error) == .success {
        context.out.write(C.fullMessage(for: error, columns: context.terminalWidth) + "\n")
        return .success
      }
      throw .badArguments(command: C.name, message: usageError(C.self, error))
    }
    // A run that ended without a session (failed, killed, a trial) leaves no live page behind.
    defer { context.serving?.endLive() }
    return try command.execute(in: context)
  }

  /// Parses the first `parsedWordLimit` words and appends the rest to the command's passthrough
  /// tail, which must already be capturing by then; other commands get an error.
  private static func parseLong<C: ShellCommand>(_ type: C.Type, _ arguments: [String]) throws -> C {
    let tooMany = ShellError.badArguments(
      command: C.name, message: "\(C.name): \(arguments.count) arguments are too many (at most \(parsedWordLimit))")
    guard C.self is any PassthroughTailCommand.Type else { throw tooMany }
    let head = try C.parse(Array(arguments.prefix(parsedWordLimit)))
    guard var tailed = head as? any PassthroughTailCommand, !tailed.passthroughTail.isEmpty else { throw tooMany }
    tailed.passthroughTail.append(contentsOf: arguments[parsedWordLimit...])
    guard let whole = tailed as? C else { throw tooMany }
    return whole
  }

  /// `NAME: what is wrong` then the usage line, as the parser words them.
  static func usageError<C: ShellCommand>(_ type: C.Type, _ error: any Error) -> String {
    var message = C.message(for: error)
    if let first = message.first, first.isUppercase, message.dropFirst().first?.isLowercase ?? true {
      message = first.lowercased() + message.dropFirst()
    }
    let usage = C.usageString(for: C.self, includeHidden: false)
    return "\(C.name): \(message)\nusage: \(usage)\n(see 'help \(C.name)')"
  }
}

extension ParsableCommand {
  /// The one-line usage (`top [--n <n>] [<pattern>]`) without the `Usage:` label.
  static func usageString(for type: Self.Type, includeHidden: Bool) -> String {
    let help = helpMessage(columns: 10_000)
    var lines = help.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
    while let line = lines.next() {
      if line.hasPrefix("USAGE:") {
        let rest = line.dropFirst("USAGE:".count).trimmingPrefixSpaces()
        return rest.isEmpty ? (lines.next().map { String($0.trimmingPrefixSpaces()) } ?? "") : String(rest)
      }
    }
    return name(of: type)
  }

  private static func name(of type: Self.Type) -> String { configuration.commandName ?? "\(type)" }
}

extension Substring {
  fileprivate func trimmingPrefixSpaces() -> Substring { drop(while: { $0 == " " }) }
}

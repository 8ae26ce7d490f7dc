/// A command whose last argument captures every remaining word verbatim (`echo`, `run CMD ARGS…`).
///
/// swift-argument-parser appends each value of a repeating argument in time proportional to the
/// values before it, so 40k words took 79 s. The executor parses at most
/// `CommandExecutor.parsedWordLimit` words and appends the rest of such a command's words here
/// itself, which is exactly what the parser would have captured.
protocol PassthroughTailCommand {
  /// The captured words.
  var passthroughTail: [String] { get set }
}

extension EchoCommand: PassthroughTailCommand {
  var passthroughTail: [String] {
    get { words }
    set { words = newValue }
  }
}

extension AssertCommand: PassthroughTailCommand {
  var passthroughTail: [String] {
    get { words }
    set { words = newValue }
  }
}

extension RunCommand: PassthroughTailCommand {
  var passthroughTail: [String] {
    get { command }
    set { command = newValue }
  }
}

extension ShellEscapeCommand: PassthroughTailCommand {
  var passthroughTail: [String] {
    get { command }
    set { command = newValue }
  }
}

extension SourceCommand: PassthroughTailCommand {
  var passthroughTail: [String] {
    get { arguments }
    set { arguments = newValue }
  }
}

import Shell

/// The shell's own languages: command lines, assert expressions and the config file.
enum ShellFuzzing {
  static func tokenizer(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let line = text(bytes)
    let tokenizer = Tokenizer(
      arguments: ["one", "two words"], scriptName: "fuzz.perfsh", environment: ["HOME": "/root", "X": "a b"])
    do {
      let commands = try tokenizer.tokenize(line)
      var tokens = 0
      for command in commands {
        require(!command.tokens.isEmpty, "an empty command")
        for token in command.tokens { _ = SessionReference(token.text) }
        tokens += command.tokens.count
      }
      return .accepted(items: tokens)
    } catch {
      return rejected(error.description)
    }
  }

  static func assert(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let expression = text(bytes)
    do {
      let parsed = try AssertParser.parse(expression)
      require(parsed.text == expression || !parsed.text.isEmpty, "a parsed assert lost its text")
      return .accepted(items: 1)
    } catch {
      require(error.column >= 1 && error.column <= expression.utf8.count + 1, "column \(error.column) outside the text")
      return rejected(error.description)
    }
  }

  static func config(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let file = ConfigFile(path: "config", text: text(bytes))
    let newlines = bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    require(file.lines.count + file.problems.count <= newlines + 1, "more config entries than lines")
    for line in file.lines { require(line.number >= 1 && line.number <= newlines + 1, "line number \(line.number)") }
    do {
      let (settings, warnings) = try Settings.resolve(flags: [:], environment: [:], config: file)
      _ = (settings.frequency, settings.nodeCount, settings.historySize, settings.colorMode)
      require(warnings.count >= file.problems.count, "config problems were dropped")
      return .accepted(items: file.lines.count)
    } catch {
      // Only flags may throw; there are none.
      require(false, "Settings.resolve threw without flags: \(error)")
      return rejected(error.description)
    }
  }
}

import Foundation

/// Works out Tab completions for a partly typed line: command names first, then each
/// command's flags, its declared argument kinds (files, settings, sessions, …).
public struct Completer {
  /// The commands whose names, flags and arguments are offered.
  public var registry: CommandRegistry
  /// Setting names offered for `.setting`.
  public var settingNames: [String]
  /// Sessions and functions, when the session store provides them.
  public var provider: (any CompletionProvider)?

  /// Makes a completer over a registry.
  public init(registry: CommandRegistry, settingNames: [String], provider: (any CompletionProvider)? = nil) {
    self.registry = registry
    self.settingNames = settingNames
    self.provider = provider
  }

  /// Completes the last word of `text` (the line up to the cursor).
  public func complete(_ text: String) -> Completion {
    let segment = String(text.split(separator: ";", omittingEmptySubsequences: false).last ?? "")
    var words = segment.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    let endsWithSpace = segment.last == " " || segment.isEmpty
    let word = endsWithSpace ? "" : (words.popLast() ?? "")
    guard let commandName = words.first else {
      return result(word, registry.allNames.filter { !$0.hasPrefix("!") })
    }
    guard let command = registry.lookup(commandName) else { return Completion(word: word, candidates: []) }
    let spec = command.shell
    let arguments = Array(words.dropFirst())
    if word.hasPrefix("-") {
      return result(word, command.flagNames)
    }
    if let previous = arguments.last, previous.hasPrefix("-"), let kind = spec.options[previous] {
      return candidates(kind, word)
    }
    let position = arguments.filter { !$0.hasPrefix("-") }.count
    let kinds = spec.arguments
    let kind = kinds.isEmpty ? ArgumentCompletion.none : kinds[min(position, kinds.count - 1)]
    return candidates(kind, word)
  }

  private func candidates(_ kind: ArgumentCompletion, _ word: String) -> Completion {
    switch kind {
    case .none:
      return Completion(word: word, candidates: [])
    case .file:
      return Completion(word: word, candidates: Self.paths(startingWith: word))
    case .command:
      return result(word, registry.allNames)
    case .setting:
      return result(word, settingNames)
    case .choices(let words):
      return result(word, words)
    case .session, .function:
      return result(word, provider?.candidates(for: kind, prefix: word) ?? [])
    }
  }

  private func result(_ word: String, _ names: [String]) -> Completion {
    Completion(word: word, candidates: Array(Set(names.filter { $0.hasPrefix(word) })).sorted())
  }

  /// File system entries whose path starts with `prefix`; directories end in `/`.
  /// Hidden entries are offered only when the typed name starts with a dot.
  public static func paths(startingWith prefix: String) -> [String] {
    let slash = prefix.lastIndex(of: "/")
    let directoryPart = slash.map { String(prefix[...$0]) } ?? ""
    let namePart = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
    var directory = directoryPart.isEmpty ? "." : directoryPart
    if directory.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
      directory = home + directory.dropFirst()
    }
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    var results: [String] = []
    for name in names where name.hasPrefix(namePart) {
      if name.hasPrefix("."), !namePart.hasPrefix(".") { continue }
      var isDirectory: ObjCBool = false
      let full = (directory.hasSuffix("/") ? directory : directory + "/") + name
      FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
      results.append(directoryPart + name + (isDirectory.boolValue ? "/" : ""))
    }
    return results.sorted()
  }
}

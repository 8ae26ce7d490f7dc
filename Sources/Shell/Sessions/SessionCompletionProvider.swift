import Analysis

/// Tab completion of session ids / names and of the current session's function names.
final class SessionCompletionProvider: CompletionProvider {
  private unowned let context: ShellContext
  /// Sorted function names per session id, built on first use.
  private var functionNames: [String: [String]] = [:]

  init(context: ShellContext) { self.context = context }

  func candidates(for kind: ArgumentCompletion, prefix: String) -> [String] {
    switch kind {
    case .session:
      let sessions = context.sessions.sessions
      var words: [String] = sessions.isEmpty ? [] : (sessions.count >= 2 ? ["@last", "@prev"] : ["@last"])
      for s in sessions { words += [String(s.id), s.name] }
      return words.filter { $0.hasPrefix(prefix) }.sorted()
    case .function:
      guard let session = context.sessions.current else { return [] }
      let style = context.settings.nameStyle
      let key = "\(session.id) \(style.rawValue)"
      let names =
        functionNames[key]
        ?? {
          // The names the reports show, so what Tab offers is what `top` printed.
          let p = ProfileView(names: style).apply(to: session.profile)
          let sorted = Array(Set(p.functions.map { p.strings[$0.name] })).sorted()
          functionNames[key] = sorted
          return sorted
        }()
      return names.filter { $0.hasPrefix(prefix) }.map { prefix + Self.patternWord(String($0.dropFirst(prefix.count))) }
    default:
      return []
    }
  }
}

extension SessionCompletionProvider {
  /// The rest of a function name as it must be typed after what is already there: regex
  /// characters escaped (the argument is a regular expression) and, when that leaves
  /// characters the shell splits or interprets (`peek Swift.Hasher.init(seed:) -> …`),
  /// single-quoted, so the completed word parses and matches the function literally.
  static func patternWord(_ rest: String) -> String {
    var escaped = ""
    for c in rest {
      // `.` stays: it matches itself too, and Go and Swift names are full of dots.
      if "\\^$|?*+()[]{}".contains(c) { escaped.append("\\") }
      escaped.append(c)
    }
    guard escaped.contains(where: { " \t'\"\\;#$".contains($0) }) else { return escaped }
    var quoted = "'"
    for c in escaped { quoted += c == "'" ? "'\\''" : String(c) }
    return quoted + "'"
  }
}

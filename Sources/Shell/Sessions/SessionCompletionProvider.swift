/// Tab completion of session ids / names and of the current session's function names.
final class SessionCompletionProvider: CompletionProvider {
  private unowned let context: ShellContext
  /// Sorted function names per session id, built on first use.
  private var functionNames: [Int: [String]] = [:]

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
      let names = functionNames[session.id] ?? {
        let p = session.profile
        let sorted = Array(Set(p.functions.map { p.strings[$0.name] })).sorted()
        functionNames[session.id] = sorted
        return sorted
      }()
      return names.filter { $0.hasPrefix(prefix) }
    default:
      return []
    }
  }
}

import ProfileModel

/// The sessions of one shell: numbering, unique names, the current one, and `@last` / `@prev`.
public struct SessionStore: Sendable {
  public private(set) var sessions: [Session] = []
  /// The session commands use when none is named.
  public private(set) var currentID: Int?
  /// The id the next added session gets (`serve` shows a run in progress under it).
  public private(set) var nextID = 1

  public init() {}

  /// Adds a profile as a new session, makes it current and returns it.
  /// A name already in use gets a `-2`, `-3`, … suffix.
  @discardableResult
  public mutating func add(profile: Profile, name: String, source: Session.Source) -> Session {
    var finished = profile
    // A session is complete: its columns at their narrowest (a run's as a loaded file's), the
    // stack tree's interning index dropped (rebuilt should anything intern again).
    finished.compact()
    let session = Session(id: nextID, name: uniqueName(name), source: source, profile: finished)
    nextID += 1
    sessions.append(session)
    currentID = session.id
    return session
  }

  /// The current session, if any.
  public var current: Session? { currentID.flatMap { id in sessions.first { $0.id == id } } }

  /// Resolves a reference: an id (`3`), a name, `@last` (newest) or `@prev` (the one before).
  public func resolve(_ reference: String) throws(SessionError) -> Session {
    if sessions.isEmpty { throw .noSessions }
    switch reference {
    case "@last", "@":
      guard let s = sessions.last else { throw .noSessions }
      return s
    case "@prev":
      guard sessions.count >= 2 else { throw .noPrevious }
      return sessions[sessions.count - 2]
    default:
      // `@3` and `@name` (the shell's session-reference syntax) mean the same as `3` and `name`.
      if reference.hasPrefix("@") && reference.count > 1 { return try resolve(String(reference.dropFirst())) }
      if let id = Int(reference.hasPrefix("#") ? String(reference.dropFirst()) : reference),
        let s = sessions.first(where: { $0.id == id })
      {
        return s
      }
      if let s = sessions.first(where: { $0.name == reference }) { return s }
      throw .unknown(reference, known: sessions.map { "\($0.id) \($0.name)" })
    }
  }

  /// The named session, or the current one when `reference` is nil.
  public func session(_ reference: String?) throws(SessionError) -> Session {
    if let reference { return try resolve(reference) }
    guard let s = current else { throw sessions.isEmpty ? .noSessions : .noCurrent }
    return s
  }

  /// Makes a session current.
  public mutating func use(_ reference: String) throws(SessionError) -> Session {
    let s = try resolve(reference)
    currentID = s.id
    return s
  }

  /// Removes a session; when it was current, the newest remaining one becomes current.
  @discardableResult
  public mutating func drop(_ reference: String) throws(SessionError) -> Session {
    let s = try resolve(reference)
    sessions.removeAll { $0.id == s.id }
    if currentID == s.id { currentID = sessions.last?.id }
    return s
  }

  /// Renames a session; names must stay unique and must not look like ids.
  public mutating func rename(_ reference: String, to newName: String) throws(SessionError) -> Session {
    let s = try resolve(reference)
    if newName.isEmpty || Int(newName) != nil || newName.hasPrefix("@") { throw .badName(newName) }
    if sessions.contains(where: { $0.name == newName && $0.id != s.id }) { throw .nameInUse(newName) }
    update(s.id) { $0.name = newName }
    return try resolve(String(s.id))
  }

  /// Changes a session in place.
  public mutating func update(_ id: Int, _ body: (inout Session) -> Void) {
    if let i = sessions.firstIndex(where: { $0.id == id }) { body(&sessions[i]) }
  }

  private func uniqueName(_ base: String) -> String {
    let base = base.isEmpty || Int(base) != nil ? "session\(base)" : base
    if !sessions.contains(where: { $0.name == base }) { return base }
    var n = 2
    while sessions.contains(where: { $0.name == "\(base)-\(n)" }) { n += 1 }
    return "\(base)-\(n)"
  }
}

/// Why a session reference could not be used.
public enum SessionError: Error, Equatable, Sendable, CustomStringConvertible {
  case noSessions
  case noCurrent
  case noPrevious
  case unknown(String, known: [String])
  case badName(String)
  case nameInUse(String)

  public var description: String {
    switch self {
    case .noSessions: return "no sessions yet (use 'run CMD' or 'load FILE')"
    case .noCurrent: return "no current session (use 'use ID')"
    case .noPrevious: return "@prev needs at least two sessions"
    case .unknown(let r, let known):
      return "no session '\(r)' (sessions: \(known.joined(separator: ", ")))"
    case .badName(let n): return "'\(n)' cannot be a session name (empty, a number, or starts with @)"
    case .nameInUse(let n): return "a session named '\(n)' already exists"
    }
  }
}

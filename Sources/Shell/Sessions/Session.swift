import ProfileModel

/// One profile held in the shell: what it came from, its data and the view filters on it.
public struct Session: Sendable {
  /// 1, 2, 3, …; never reused within one shell.
  public let id: Int
  /// Unique among live sessions; commands accept it wherever they accept an id.
  public var name: String
  /// Where the profile came from: a file path or the command line that was run.
  public var source: Source
  public var profile: Profile
  /// pprof-style view filters (focus / ignore / hide), applied by every analysis command.
  public var filters = ViewFilters()

  public init(id: Int, name: String, source: Source, profile: Profile) {
    self.id = id
    self.name = name
    self.source = source
    self.profile = profile
  }

  /// What produced a session.
  public enum Source: Sendable, Equatable, CustomStringConvertible {
    case file(path: String, format: String)
    case run(command: [String])

    public var description: String {
      switch self {
      case .file(let path, let format): return "\(path) (\(format))"
      case .run(let command): return command.map(shellQuoted).joined(separator: " ")
      }
    }
  }
}

/// The filter expressions of a session, kept as text so `info` can show them as typed.
public struct ViewFilters: Sendable, Equatable {
  public var focus: [String] = []
  public var ignore: [String] = []
  public var hide: [String] = []
  public init() {}
  public var isEmpty: Bool { focus.isEmpty && ignore.isEmpty && hide.isEmpty }
}

/// `word` quoted for a POSIX shell when it needs it, so command lines print re-runnable.
public func shellQuoted(_ word: String) -> String {
  let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
  if safe && !word.isEmpty { return word }
  var quoted = "'"
  for ch in word { quoted += ch == "'" ? "'\\''" : String(ch) }
  return quoted + "'"
}

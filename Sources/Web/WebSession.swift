import Analysis
import Formats
import ProfileModel

/// One session as the web layer sees it: plain values the shell copies out of its own
/// session, so Web never imports Shell.
public struct WebSession: Sendable {
  public var id: Int
  public var name: String
  /// Where it came from: the command line run or the file loaded.
  public var source: String
  /// The same origin as the saved-session format records it (for the session download).
  public var origin: ArchivedSession.Source
  public var profile: Profile
  /// The session's focus / ignore / hide expressions as typed in the shell.
  public var focus: [String]
  public var ignore: [String]
  public var hide: [String]
  /// The `summary` command's lines, rendered by the shell with the same facts.
  public var summaryLines: [String]
  /// Samples taken (a `samples/count` total, or the number of records).
  public var samples: Int64
  /// True while `run` is still capturing: the profile is a snapshot that will be replaced.
  public var isLive: Bool
  /// How the shell shows names and hidden time (its settings), for views that match its commands.
  public var view: ProfileView

  /// This session as a side of `compare`, labelled as the shell labels it.
  var compareInput: CompareInput { CompareInput(label: "[\(id)] \(name)", profile: profile, samples: samples) }

  public init(
    id: Int, name: String, source: String, origin: ArchivedSession.Source, profile: Profile, focus: [String] = [],
    ignore: [String] = [],
    hide: [String] = [], summaryLines: [String] = [], samples: Int64, isLive: Bool = false,
    view: ProfileView = ProfileView()
  ) {
    self.view = view
    self.id = id
    self.name = name
    self.source = source
    self.origin = origin
    self.profile = profile
    self.focus = focus
    self.ignore = ignore
    self.hide = hide
    self.summaryLines = summaryLines
    self.samples = samples
    self.isLive = isLive
  }
}

/// Where the server reads sessions from: the shell implements it with a locked snapshot that
/// it republishes after each command, so requests never touch the shell's own state.
public protocol WebSessionSource: Sendable {
  /// The sessions as of the latest snapshot, oldest first.
  func webSessions() -> [WebSession]
  /// Changes whenever the snapshot does, so answers computed from it can be reused until then.
  var generation: UInt64 { get }
}

import Foundation

/// A thread-safe holder of the latest session snapshot: the shell thread publishes, the
/// server's event loops read. Copies are cheap (profiles are copy-on-write values).
public final class WebSessionBox: WebSessionSource, @unchecked Sendable {
  private let lock = NSLock()
  private var sessions: [WebSession]
  /// Live snapshots of runs in progress, keyed by the id the session will get.
  private var live: [Int: WebSession] = [:]
  private var changes: UInt64 = 0

  public init(_ sessions: [WebSession] = []) { self.sessions = sessions }

  /// Replaces the finished sessions (called after every shell command).
  public func publish(_ sessions: [WebSession]) {
    lock.withLock {
      self.sessions = sessions
      for s in sessions { live[s.id] = nil }
      changes &+= 1
    }
  }

  /// Shows or updates a run in progress; `nil` removes it (the run failed or ended).
  public func publishLive(id: Int, _ session: WebSession?) {
    lock.withLock {
      live[id] = session
      changes &+= 1
    }
  }

  /// Removes every run in progress (their commands ended; a finished one was published).
  public func endLive() {
    lock.withLock {
      guard !live.isEmpty else { return }
      live.removeAll()
      changes &+= 1
    }
  }

  public var generation: UInt64 { lock.withLock { changes } }

  public func webSessions() -> [WebSession] {
    lock.withLock {
      let finished = Set(sessions.map(\.id))
      return sessions + live.values.filter { !finished.contains($0.id) }.sorted { $0.id < $1.id }
    }
  }
}

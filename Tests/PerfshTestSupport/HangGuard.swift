import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Bounds a test that could hang on a FIFO: after `seconds`, if `finish()` was not called,
/// it opens both ends of the FIFO without blocking, which wakes an `open` or `read` stuck on
/// it, and records that it had to. Tests then assert `finish()` is true (no hang).
public final class FIFOHangGuard: @unchecked Sendable {
  private let lock = NSLock()
  private var finished = false
  private var fired = false

  /// Arms the guard for the FIFO at `path`.
  public init(fifo path: String, seconds: Double = 10) {
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
      lock.lock()
      let wasFinished = finished
      if !wasFinished { fired = true }
      lock.unlock()
      guard !wasFinished else { return }
      signal(SIGPIPE, SIG_IGN)
      let reader = open(path, O_RDONLY | O_NONBLOCK)
      let writer = open(path, O_WRONLY | O_NONBLOCK)
      usleep(200_000)
      if writer >= 0 { close(writer) }
      if reader >= 0 { close(reader) }
    }
  }

  /// Disarms the guard; true when the guarded work ended without it having to step in.
  public func finish() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    finished = true
    return !fired
  }
}

/// Makes a FIFO (named pipe) at `path` with mode 0600.
public func makeFIFO(_ path: String) throws {
  guard mkfifo(path, 0o600) == 0 else {
    throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "mkfifo \(path): errno \(errno)"])
  }
}

/// The uid and gid of `nobody` (65534 on Debian), for files "of another user".
public let nobodyID: (uid: uid_t, gid: gid_t) = {
  guard let entry = getpwnam("nobody") else { return (65534, 65534) }
  return (entry.pointee.pw_uid, entry.pointee.pw_gid)
}()

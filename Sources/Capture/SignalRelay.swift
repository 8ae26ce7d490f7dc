import CPerfEvent
import Glibc
import Syscalls

/// Catches SIGINT, SIGTERM and SIGHUP while a target runs and reports them through a pipe,
/// so the sampler can forward them and keep the session (and remove its probes) instead of
/// dying. Only one relay may exist at a time.
public struct SignalRelay: ~Copyable {
  /// Readable end of the relay pipe, for poll(2).
  public let descriptor: Int32
  private let writeFD: Int32

  /// A signal perfsh received.
  public struct Received: Sendable, Equatable {
    /// The signal number.
    public var signal: Int32
    /// True when sent with kill(2)/sigqueue(3) (si_code SI_USER/SI_QUEUE) rather than by
    /// the terminal; a terminal's Ctrl-C already reaches the target in our process group.
    public var sentByProcess: Bool
  }

  /// Installs the handlers.
  public init() throws(CaptureError) {
    var fds: [Int32] = [-1, -1]
    try Syscall.zeroOrErrno(perfsh_pipe_cloexec(&fds, 1)) { .system(call: "pipe2", errno: $0) }
    guard perfsh_signal_relay_install(fds[1]) == 0 else {
      let e = Syscall.lastError
      close(fds[0])
      close(fds[1])
      throw .system(call: "sigaction", errno: e)
    }
    descriptor = fds[0]
    writeFD = fds[1]
  }

  /// Signals received since the last call.
  public func pending() -> [Received] {
    var result: [Received] = []
    var msg: (Int32, Int32) = (0, 0)
    while withUnsafeMutableBytes(of: &msg, { read(descriptor, $0.baseAddress, 8) }) == 8 {
      let code = msg.1
      result.append(Received(signal: msg.0, sentByProcess: code == perfsh_si_user() || code == perfsh_si_queue()))
    }
    return result
  }

  deinit {
    perfsh_signal_relay_remove()
    close(descriptor)
    close(writeFD)
  }
}

/// Whether perfsh was hung up on (SIGHUP), so the prompt and scripts can end cleanly
/// (history saved, terminal restored) instead of dying inside a read.
public enum Hangup {
  /// Catches SIGHUP from now on and only records it; a blocking read returns EINTR.
  /// Call again after something else (a full-screen view) reset the disposition.
  public static func watch() {
    _ = perfsh_hangup_watch_install()
  }

  /// True once SIGHUP arrived, during a run (relayed) or while `watch()` was in force.
  public static var received: Bool { perfsh_hangup_seen() != 0 }

  /// The exit status after a hangup, as shells report it (128 + SIGHUP).
  public static let exitStatus: Int32 = 128 + SIGHUP
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Ctrl-C while a command waits on the network (`load http://…`): for the duration of `body`, a
/// SIGINT handler that only sets a flag, which the waiting code polls (at least once a second);
/// afterwards the handler that was there before (the prompt's, or the default) is back.
enum InterruptWatch {
  /// Set by the handler; read by `interrupted()`.
  nonisolated(unsafe) static var raised: sig_atomic_t = 0

  /// Runs `body` with SIGINT turned into a flag that `interrupted` reads.
  static func during<T>(_ body: (_ interrupted: () -> Bool) throws(ShellError) -> T) throws(ShellError) -> T {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in InterruptWatch.raised = 1 }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    var previous = sigaction()
    raised = 0
    sigaction(SIGINT, &action, &previous)
    defer { sigaction(SIGINT, &previous, nil) }
    return try body { InterruptWatch.raised != 0 }
  }
}

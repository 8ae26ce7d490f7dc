import Dispatch

/// Runs one closure on another core while the caller goes on with independent work; `wait`
/// joins it. The pprof decoder uses it to build its string table and sort half its samples on
/// the machine's second core (with one core it still finishes, just not sooner).
final class BackgroundTask<Result>: @unchecked Sendable {
  // Written once by the worker before `leave`; read only after `wait` returns.
  private var result: Result?
  private let group = DispatchGroup()

  /// Starts `work` at once; what it captures must not be touched by the caller until `wait`.
  init(_ work: @escaping () -> Result) {
    nonisolated(unsafe) let work = work
    group.enter()
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      result = work()
      group.leave()
    }
  }

  /// Waits for the closure and returns its result.
  func wait() -> Result {
    group.wait()
    guard let result else { preconditionFailure("BackgroundTask finished without a result") }
    return result
  }
}

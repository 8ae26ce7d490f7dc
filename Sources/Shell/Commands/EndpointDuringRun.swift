import Dispatch
import Fetch
import Foundation
import ProfileModel

/// `run --pprof-endpoint URL`: fetches the target's own profile (Go's net/http/pprof) on a
/// background thread while perfsh samples it, retrying while the port refuses connections,
/// until the fetch ends or the run does; the result becomes a second session.
final class EndpointDuringRun: @unchecked Sendable {
  /// The URL fetched.
  let url: HTTPURL
  private let lock = NSLock()
  private var runEnded = false
  private var outcome: Result<FetchedProfile, ShellError>?
  private let done = DispatchSemaphore(value: 0)

  /// Starts fetching `url` at once (a bare `http://HOST:PORT` means a 5 s CPU profile).
  init(url text: String) throws(ShellError) {
    var parsed = try PprofEndpoint.parse(text)
    if parsed.target == "/" { parsed.target = "/debug/pprof/profile?seconds=5" }
    url = parsed
    let thread = Thread { [self] in fetch() }
    thread.start()
  }

  private func fetch() {
    let result: Result<FetchedProfile, ShellError>
    do throws(ShellError) {
      result = .success(
        try PprofEndpoint.fetch(
          url, timeout: nil, connectTimeoutMillis: 1000,
          retryRefused: { [self] in
            lock.lock()
            defer { lock.unlock() }
            return !runEnded
          }, progress: { _ in }))
    } catch {
      result = .failure(error)
    }
    lock.lock()
    outcome = result
    lock.unlock()
    done.signal()
  }

  /// Called when the target has exited: stops retrying refused connections and waits for a fetch
  /// under way (bounded by its read timeout). Returns the profile or why there is none; may be
  /// called again.
  func finish() -> Result<FetchedProfile, ShellError> {
    lock.lock()
    runEnded = true
    lock.unlock()
    done.wait()
    done.signal()  // so a second call (the error path's cleanup) returns at once
    lock.lock()
    defer { lock.unlock() }
    return outcome ?? .failure(.command(.endpoint(url: url.description, problem: "no result")))
  }

  /// After the run's session: the fetched profile as session `NAME (go pprof)`, or a warning
  /// saying why there is none (the run itself stands either way).
  func addSession(runName: String, context: ShellContext) {
    switch finish() {
    case .success(let fetched):
      context.addSession(
        fetched.profile, name: "\(runName) (go pprof)",
        source: .file(path: url.description, format: "\(fetched.format), fetched during the run"))
    case .failure(let error):
      var message = "--pprof-endpoint: \(error.description)"
      if message.contains("connection refused") {
        message = "--pprof-endpoint: nothing accepted a connection at \(url.authority) during the run (\(url))"
      } else if message.contains("truncated") || message.contains("closed") || message.contains("reset") {
        message += " (did the program exit before the profile was done? ask for fewer seconds than it runs)"
      }
      context.warn(message)
    }
  }
}

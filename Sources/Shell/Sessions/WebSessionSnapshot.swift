import Analysis
import Capture
import Formats
import ProfileModel
import Render
import Web

/// The shell's side of `serve`: the running server and the thread-safe snapshot of the
/// sessions it reads (the shell publishes a copy after every change; the server never
/// touches the shell's own state).
final class ServeState {
  let server: WebServer
  let box: WebSessionBox

  init(server: WebServer, box: WebSessionBox) {
    self.server = server
    self.box = box
  }

  /// Copies the sessions into the snapshot, with the names and hidden time `settings` show.
  func publish(_ store: SessionStore, settings: Settings) {
    var view = ProfileView(names: settings.nameStyle)
    view.allThreads = settings.allThreads
    box.publish(store.sessions.map { $0.webSession(view: view) })
  }

  /// Removes the pages of runs in progress: called when a command ends, so a run that ended
  /// without a session (it failed or was killed) does not stay "live".
  func endLive() { box.endLive() }
}

extension Session {
  /// This session as the web layer reads it: plain values, the summary lines rendered here.
  func webSession(view: ProfileView = ProfileView()) -> WebSession {
    var summary = ""
    SummaryRenderer.write(summaryFacts, to: &summary)
    let lines =
      summary.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
      + memorySummaryLines + waitingSummaryLines
    let origin: ArchivedSession.Source
    switch source {
    case .file(let path, let format): origin = .file(path: path, format: format)
    case .run(let command): origin = .run(command: command)
    }
    return WebSession(
      id: id, name: name, source: source.description, origin: origin, profile: profile, focus: filters.focus,
      ignore: filters.ignore, hide: filters.hide, summaryLines: lines, samples: SessionDescription.sampleCount(profile),
      view: view)
  }
}

extension ShellContext {
  /// Shows a run in progress on the served pages under the id and `name` its session will get: the
  /// profile so far, symbolized with the shell's cache (binaries are read once per shell).
  /// The finished session replaces it when `run` adds it.
  func publishLive(_ snapshot: Profile, request: CaptureRequest, name: String, to serving: ServeState) {
    var profile = snapshot
    symbolizer.symbolize(&profile)
    let id = sessions.nextID
    let argv = request.arguments
    let samples = SessionDescription.sampleCount(profile)
    let session = WebSession(
      id: id, name: name,
      source: Session.Source.run(command: argv).description,
      origin: .run(command: argv), profile: profile,
      summaryLines: ["Running: \(Session.Source.run(command: argv).description)", "Samples so far: \(samples)"],
      samples: samples, isLive: true)
    serving.box.publishLive(id: id, session)
  }
}

import Fetch
import Formats
import ProfileModel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A profile fetched from a Go `net/http/pprof` endpoint (or any URL serving pprof), as `load URL`
/// and `run --pprof-endpoint` get it: the decoded profile and the body's bytes as received.
struct FetchedProfile {
  /// The decoded profile, sample types as the server wrote them.
  var profile: Profile
  /// The response body, unchanged (what `load URL --save FILE` writes).
  var bytes: [UInt8]
  /// How the body was encoded.
  var format: ProfileFormat
  /// The URL asked for (before any redirect).
  var url: HTTPURL
}

/// Fetching and decoding pprof over HTTP: timeouts from the URL, the progress line, and one clear
/// message when the body is not a profile.
enum PprofEndpoint {
  /// Seconds the server collects before it answers: the URL's `seconds=N`, else Go's default 30
  /// for `/profile`, else 0 (heap, goroutine, … answer at once).
  static func collectionSeconds(_ url: HTTPURL) -> Int {
    if let text = url.queryValue("seconds"), let n = Int(text), n > 0 { return n }
    return url.path.hasSuffix("/profile") ? 30 : 0
  }

  /// The read timeout: `override` when given, else the collection time plus 10 seconds.
  static func readTimeoutMillis(_ url: HTTPURL, override: Duration?) -> Int32 {
    if let override {
      let (s, atto) = override.components
      return Int32(clamping: max(1, s * 1000 + atto / 1_000_000_000_000_000))
    }
    return Int32(clamping: (collectionSeconds(url) + 10) * 1000)
  }

  /// A short name for the session: the last path component (`heap`, `profile`, `goroutine`).
  static func sessionName(_ url: HTTPURL) -> String {
    url.path.split(separator: "/").last.map(String.init) ?? url.host
  }

  /// The URL's text parsed, or the shell's error naming it.
  static func parse(_ text: String) throws(ShellError) -> HTTPURL {
    do {
      return try HTTPURL(text)
    } catch {
      throw .command(.endpoint(url: text, problem: error.description))
    }
  }

  /// GETs `url` and decodes the body as pprof. `progress` gets one line when the server will take
  /// a while (a timed profile). While `retryRefused()` says yes, a refused connection is tried
  /// again every 50 ms (a server that is still starting); `cancelled()` ends the wait (Ctrl-C).
  static func fetch(
    _ url: HTTPURL, timeout: Duration?, connectTimeoutMillis: Int32 = 5_000,
    retryRefused: () -> Bool = { false }, cancelled: () -> Bool = { false }, progress: (String) -> Void
  ) throws(ShellError) -> FetchedProfile {
    var client = HTTPClient(readTimeoutMillis: readTimeoutMillis(url, override: timeout))
    client.connectTimeoutMillis = connectTimeoutMillis
    let seconds = collectionSeconds(url)
    var response: HTTPResponse?
    while response == nil {
      do {
        response = try client.get(
          url,
          connected: {
            if seconds > 0 {
              progress("collecting a \(seconds)s profile from \(url.authority) (the server answers when it is done)")
            }
          }, cancelled: cancelled)
      } catch {
        guard error.isConnectionRefused, retryRefused() else {
          throw .command(.endpoint(url: url.description, problem: error.description))
        }
        usleep(50_000)
      }
    }
    guard let response else { throw .command(.endpoint(url: url.description, problem: "no response")) }
    let body = response.body
    let kind = response.header("Content-Type").map { $0.split(separator: ";").first.map(String.init) ?? $0 } ?? ""
    let loaded: (profile: Profile, format: ProfileFormat)
    do {
      loaded = try ProfileLoader.loadDetectingFormat(bytes: body, name: url.description)
    } catch {
      if error == .unrecognized || error == .empty {
        throw .command(.endpoint(url: url.description, problem: notPprof(body, kind: kind, url: url)))
      }
      throw .command(
        .endpoint(url: url.description, problem: "the body is not a valid pprof profile: \(error.description)"))
    }
    guard case .pprof = loaded.format else {
      throw .command(.endpoint(url: url.description, problem: notPprof(body, kind: kind, url: url)))
    }
    return FetchedProfile(profile: loaded.profile, bytes: body, format: loaded.format, url: url)
  }

  /// The message for a body that is text, HTML or empty.
  private static func notPprof(_ body: [UInt8], kind: String, url: HTTPURL) -> String {
    if body.isEmpty { return "the server sent an empty body, not a pprof profile" }
    // The first line's leading printable ASCII, at most 60 characters (binary bodies show their magic).
    let line = body.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
    let printable = line.prefix(60).prefix { (0x20..<0x7f).contains($0) }
    let shown = String(decoding: printable, as: UTF8.self) + (printable.count < line.count ? "…" : "")
    var message = "the server sent \(kind.isEmpty ? "text" : kind) starting '\(shown)', not a pprof profile"
    if url.path.hasSuffix("/debug/pprof/trace") {
      message += " (/debug/pprof/trace is Go's execution trace: open it with go tool trace)"
    } else if url.queryValue("debug").map({ $0 != "0" }) == true {
      message += " (drop ?debug=N: it asks Go for text)"
    } else if !url.path.contains("/debug/pprof/") || url.path.hasSuffix("/debug/pprof/") {
      message += " (name a profile, e.g. /debug/pprof/heap or /debug/pprof/profile?seconds=5)"
    }
    return message
  }
}

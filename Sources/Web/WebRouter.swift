/// One HTTP answer, before it meets a socket.
public struct WebResponse: Sendable {
  public var status: Int
  public var contentType: String
  public var body: [UInt8]
  /// Set for downloads: the file name the browser saves under.
  public var attachment: String?
  /// True when the body is the answer cache's (the server then shares one buffer of it).
  public var isCached = false

  public init(status: Int, contentType: String, body: [UInt8], attachment: String? = nil) {
    self.status = status
    self.contentType = contentType
    self.body = body
    self.attachment = attachment
  }

  static func json(_ value: JSONValue, status: Int = 200) -> WebResponse {
    WebResponse(status: status, contentType: "application/json; charset=utf-8", body: Array(value.text.utf8))
  }

  static func error(_ e: WebError) -> WebResponse { .json(e.json, status: e.status) }
}

/// Maps a request path to a response: the token check, the embedded pages, the JSON views,
/// the SVGs and downloads. No sockets, so every route is unit-tested directly.
///
/// URLs: `/TOKEN/` (the app), `/TOKEN/assets/NAME`, `/TOKEN/api/sessions`,
/// `/TOKEN/api/session/ID/{summary,top,heatmap,peek,list,flame.svg,download/FORMAT}`,
/// `/TOKEN/api/compare/A/B{,/flame.svg}`. Anything else under the token is 404; anything
/// without the token is 403.
public struct WebRouter: Sendable {
  public let token: String
  public let source: any WebSessionSource
  /// Reads a source file's lines for `list` (the server passes a file reader; tests a table).
  public let sourceLines: @Sendable (String) -> [String]?
  private let cache = WebResponseCache()

  public init(
    token: String, source: any WebSessionSource, sourceLines: @escaping @Sendable (String) -> [String]? = { _ in nil }
  ) {
    self.token = token
    self.source = source
    self.sourceLines = sourceLines
  }

  /// Answers a GET of `target` (path and query as sent).
  public func respond(to target: String) -> WebResponse {
    // What answering and its connection freed goes back to the kernel once requests pause.
    defer { HeapTrim.afterQuiet() }
    let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    let query = WebQuery(parsing: pathPart.count > 1 ? pathPart[1] : "")
    let segments = (pathPart.first ?? "").split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(
      String.init)
    // Only an origin-form target ("/TOKEN/…") carries the token; "x/TOKEN/…" does not.
    guard (pathPart.first ?? "").hasPrefix("/"), let first = segments.first, WebRouter.constantTimeEqual(first, token)
    else {
      return .error(WebError(status: 403, "forbidden: this server needs the token printed by 'serve'"))
    }
    let rest = Array(segments.dropFirst())
    func answer() -> WebResponse {
      do {
        return try route(rest, query: query)
      } catch {
        return .error(error)
      }
    }
    guard rest.first == "api" else { return answer() }
    return cache.answer("\(source.generation) \(target)", compute: answer)
  }

  private func route(_ path: [String], query: WebQuery) throws(WebError) -> WebResponse {
    switch path.first {
    case nil, "":
      guard path.count <= 1 else { throw .notFound("no such page") }
      return WebResponse(
        status: 200, contentType: "text/html; charset=utf-8", body: Array(WebAssets.index(token: token).utf8))
    case "assets":
      guard path.count == 2, let asset = WebAssets.files[path[1]] else { throw .notFound("no such asset") }
      return WebResponse(status: 200, contentType: asset.type, body: Array(asset.text.utf8))
    case "api":
      return try api(Array(path.dropFirst()), query: query)
    default:
      throw .notFound("no such page")
    }
  }

  private func api(_ path: [String], query: WebQuery) throws(WebError) -> WebResponse {
    let sessions = source.webSessions()
    func session(_ text: String) throws(WebError) -> WebSession {
      guard let id = Int(text), let s = sessions.first(where: { $0.id == id }) else {
        throw .notFound(
          "no session \(text) (it was dropped, or never existed); sessions: \(sessions.map { String($0.id) }.joined(separator: ", "))"
        )
      }
      return s
    }
    switch (path.first, path.count) {
    case ("sessions", 1):
      return .json(WebViews.sessions(sessions))
    case ("session", 3):
      let s = try session(path[1])
      switch path[2] {
      case "summary": return .json(WebViews.summary(s))
      case "top": return .json(try WebViews.top(s, query: query))
      case "heatmap": return .json(try WebViews.heatmap(s, query: query))
      case "peek": return .json(try WebViews.peek(s, query: query))
      case "list": return .json(try WebViews.list(s, query: query, source: sourceLines))
      case "flame.svg":
        return WebResponse(
          status: 200, contentType: "image/svg+xml", body: Array(try WebFiles.flameSVG(s, query: query).utf8))
      default: throw .notFound("no view '\(path[2])'")
      }
    case ("session", 4) where path[2] == "download":
      let file = try WebFiles.download(try session(path[1]), format: path[3])
      return WebResponse(status: 200, contentType: file.type, body: file.bytes, attachment: file.file)
    case ("compare", 3):
      return .json(try WebViews.compare(try session(path[1]), try session(path[2]), query: query))
    case ("compare", 4) where path[3] == "flame.svg":
      let svg = try WebFiles.diffSVG(try session(path[1]), try session(path[2]), query: query)
      return WebResponse(status: 200, contentType: "image/svg+xml", body: Array(svg.utf8))
    default:
      throw .notFound("no such endpoint")
    }
  }

  /// Compares without stopping at the first difference, so timing tells nothing of the token.
  static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
  }

  /// A fresh random token: 128 bits as 32 hex digits.
  public static func randomToken() -> String {
    var g = SystemRandomNumberGenerator()
    return (0..<4).map { _ in
      let s = String(g.next() as UInt32, radix: 16)
      return String(repeating: "0", count: 8 - s.count) + s
    }.joined()
  }
}

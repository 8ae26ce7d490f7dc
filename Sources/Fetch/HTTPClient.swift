#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A small HTTP/1.1 GET client over `TCPConnection`: one request per connection
/// (`Connection: close`), redirects followed on the same host, timeouts, a body cap.
public struct HTTPClient: Sendable {
  /// Cap on a response body (see docs/input-limits.md).
  public static let defaultBodyLimit = 256 << 20
  /// Redirects followed before giving up.
  public static let redirectLimit = 3

  /// How long to wait for a connection.
  public var connectTimeoutMillis: Int32 = 5_000
  /// How long to wait with no byte arriving.
  public var readTimeoutMillis: Int32 = 15_000
  /// Cap on the body.
  public var bodyLimit = HTTPClient.defaultBodyLimit

  /// A client with the given read timeout (milliseconds).
  public init(readTimeoutMillis: Int32 = 15_000) {
    self.readTimeoutMillis = readTimeoutMillis
  }

  /// GETs `url`, following up to `redirectLimit` redirects on the same host, and returns the
  /// 2xx response. Any other status is `.httpStatus` with the body's first line.
  /// `waiting(seconds)` is called about once a second while no byte of a response has arrived
  /// (for a progress line); `connected` once the first connection is made. When `cancelled()`
  /// turns true (checked at least once a second while waiting) the fetch ends with `.cancelled`.
  public func get(
    _ url: HTTPURL, connected: () -> Void = {}, waiting: (Int) -> Void = { _ in }, cancelled: () -> Bool = { false }
  ) throws(FetchError) -> HTTPResponse {
    var current = url
    var redirects = 0
    var first = true
    while true {
      let connection = try TCPConnection(host: current.host, port: current.port, timeoutMillis: connectTimeoutMillis)
      if first { connected() }
      first = false
      let response = try exchange(connection, url: current, waiting: waiting, cancelled: cancelled)
      switch response.status {
      case 200..<300:
        return response
      case 301, 302, 303, 307, 308:
        guard let location = response.header("Location"), !location.isEmpty else {
          throw .redirectWithoutLocation(code: response.status)
        }
        redirects += 1
        guard redirects <= Self.redirectLimit else { throw .tooManyRedirects(limit: Self.redirectLimit) }
        current = try current.resolving(location: location)
      default:
        throw .httpStatus(code: response.status, reason: response.reason, firstLine: response.firstBodyLine)
      }
    }
  }

  /// Sends the request on `connection` and reads the whole response.
  func exchange(
    _ connection: borrowing TCPConnection, url: HTTPURL, waiting: (Int) -> Void, cancelled: () -> Bool
  ) throws(FetchError) -> HTTPResponse {
    let request =
      "GET \(url.target) HTTP/1.1\r\nHost: \(url.authority)\r\nUser-Agent: perfsh\r\nAccept: */*\r\n"
      + "Connection: close\r\n\r\n"
    try connection.send(Array(request.utf8), timeoutMillis: readTimeoutMillis)
    var parser = HTTPResponseParser(bodyLimit: bodyLimit)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
    defer { buffer.deallocate() }
    var idleMillis: Int32 = 0
    var reported = 0
    while !parser.isComplete {
      if cancelled() { throw .cancelled }
      // Waits in slices of at most a second, so a progress line can tick while a timed profile runs.
      let slice = min(1000, readTimeoutMillis - idleMillis)
      switch try connection.receive(into: buffer, timeoutMillis: max(slice, 1)) {
      case .bytes(let n):
        idleMillis = 0
        try parser.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
      case .end:
        return try parser.finish()
      case .timedOut:
        idleMillis += max(slice, 1)
        if idleMillis >= readTimeoutMillis {
          throw .readTimeout(millis: Int(readTimeoutMillis), received: parser.received)
        }
        if parser.received == 0 && idleMillis / 1000 > reported {
          reported = Int(idleMillis / 1000)
          waiting(reported)
        }
      }
    }
    return try parser.finish()
  }
}

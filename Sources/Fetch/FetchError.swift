import Syscalls

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Why an HTTP fetch failed. Descriptions are lower-case and do not repeat the URL; the shell
/// prints `perfsh: URL: <description>`.
public enum FetchError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The text is not an `http://HOST[:PORT][/PATH]` URL.
  case badURL(reason: String)
  /// `https://` URLs: perfsh speaks plain HTTP/1.1 only.
  case httpsNotSupported
  /// The host name did not resolve (`detail` is getaddrinfo's message).
  case resolve(host: String, detail: String)
  /// connect(2) failed on every address of `address` (ECONNREFUSED: nothing listens).
  case connect(address: String, errno: Errno)
  /// No connection within `seconds`.
  case connectTimeout(address: String, seconds: Int)
  /// No byte arrived for `millis` milliseconds (after `received` bytes of the response).
  case readTimeout(millis: Int, received: Int)
  /// A socket call other than connect failed.
  case io(operation: String, errno: Errno)
  /// The bytes are not an HTTP/1.x response.
  case malformedResponse(reason: String)
  /// The connection closed before the response was whole.
  case truncatedResponse(reason: String)
  /// The response head (status line and headers) is larger than `limit` bytes.
  case headTooLarge(limit: Int)
  /// The body is larger than `limit` bytes.
  case bodyTooLarge(limit: Int)
  /// The server answered with a status other than 2xx or a redirect; `firstLine` is the body's first line.
  case httpStatus(code: Int, reason: String, firstLine: String)
  /// More than `limit` redirects in a row.
  case tooManyRedirects(limit: Int)
  /// A redirect to another host or port (or scheme), which perfsh does not follow.
  case redirectElsewhere(location: String)
  /// A 3xx response without a usable Location header.
  case redirectWithoutLocation(code: Int)
  /// The caller stopped waiting (Ctrl-C).
  case cancelled

  /// True when nothing listened at the address (ECONNREFUSED): worth retrying while a server starts.
  public var isConnectionRefused: Bool {
    if case .connect(_, let code) = self { return code.rawValue == ECONNREFUSED }
    return false
  }

  /// A lower-case message naming what is wrong.
  public var description: String {
    switch self {
    case .badURL(let reason): return "not an http:// URL: \(reason)"
    case .httpsNotSupported:
      return "https is not supported (perfsh speaks plain HTTP/1.1); fetch it with curl -o FILE and load the file"
    case .resolve(let host, let detail): return "cannot resolve host '\(host)': \(detail)"
    case .connect(let address, let code):
      if code.rawValue == ECONNREFUSED {
        return "connection refused by \(address) (is the server running and listening there?)"
      }
      return "cannot connect to \(address): \(code.message)"
    case .connectTimeout(let address, let seconds): return "no connection to \(address) within \(seconds)s"
    case .readTimeout(let millis, let received):
      let wait = millis % 1000 == 0 ? "\(millis / 1000)s" : "\(millis)ms"
      return received == 0
        ? "no response within \(wait) (use --timeout to wait longer)"
        : "the server stopped sending for \(wait) after \(received) bytes (use --timeout to wait longer)"
    case .io(let operation, let code): return "\(operation) failed: \(code.message)"
    case .malformedResponse(let reason): return "not an HTTP/1.x response: \(reason)"
    case .truncatedResponse(let reason): return "truncated response: \(reason)"
    case .headTooLarge(let limit): return "response headers are larger than \(limit / 1024) KiB"
    case .bodyTooLarge(let limit): return "response body is larger than the \(limit >> 20) MiB limit"
    case .httpStatus(let code, let reason, let firstLine):
      let status = reason.isEmpty ? "HTTP \(code)" : "HTTP \(code) \(reason)"
      return firstLine.isEmpty ? status : "\(status): \(firstLine)"
    case .tooManyRedirects(let limit): return "more than \(limit) redirects"
    case .redirectElsewhere(let location):
      return
        "redirected to \(location), another host; perfsh follows redirects on the same host only (load that URL directly)"
    case .redirectWithoutLocation(let code): return "HTTP \(code) redirect without a Location header"
    case .cancelled: return "interrupted; nothing was loaded"
    }
  }
}

/// A whole HTTP/1.x response: status, headers in order, and the body with any chunked
/// transfer coding removed.
public struct HTTPResponse: Sendable, Equatable {
  /// The status code, e.g. 200.
  public var status: Int
  /// The reason phrase, e.g. `OK` (may be empty).
  public var reason: String
  /// Header fields in the order received; names as sent.
  public var headers: [(name: String, value: String)]
  /// The body bytes (de-chunked).
  public var body: [UInt8]

  /// Makes a response.
  public init(status: Int, reason: String, headers: [(name: String, value: String)], body: [UInt8]) {
    self.status = status
    self.reason = reason
    self.headers = headers
    self.body = body
  }

  /// The value of the first header named `name` (case-insensitive), or nil.
  public func header(_ name: String) -> String? {
    let wanted = name.lowercased()
    return headers.first { $0.name.lowercased() == wanted }?.value
  }

  /// The body's first line (at most 200 characters, control characters dropped), for messages.
  public var firstBodyLine: String {
    let line =
      body.prefix(4096).split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: true).first ?? []
    let text = String(decoding: line, as: UTF8.self)
    let clean = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }))
    let trimmed = clean.trimmingSpaces
    return trimmed.count > 200 ? String(trimmed.prefix(200)) + "…" : trimmed
  }

  public static func == (a: HTTPResponse, b: HTTPResponse) -> Bool {
    a.status == b.status && a.reason == b.reason && a.body == b.body
      && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
  }
}

extension String {
  /// The text without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" { s.removeLast() }
    return String(s)
  }
}

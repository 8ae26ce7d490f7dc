import Analysis

/// The query parameters of one request, decoded (`%XX` and `+`), last value wins.
public struct WebQuery: Sendable, Equatable {
  public var values: [String: String]

  public init(_ values: [String: String] = [:]) { self.values = values }

  /// Parses `a=1&b=x%20y`.
  public init(parsing query: Substring) {
    var values: [String: String] = [:]
    for pair in query.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let key = parts.first.map({ WebQuery.decode($0) }) else { continue }
      values[key] = parts.count > 1 ? WebQuery.decode(parts[1]) : ""
    }
    self.values = values
  }

  public subscript(_ key: String) -> String? { values[key] }

  /// `1`, `true`, `on` are true.
  func flag(_ key: String) -> Bool { ["1", "true", "on", "yes"].contains(values[key] ?? "") }

  /// A non-negative count, or `fallback`.
  func count(_ key: String, default fallback: Int?) throws(WebError) -> Int? {
    guard let text = values[key], !text.isEmpty else { return fallback }
    guard let n = Int(text), n >= 0 else { throw .badRequest("\(key) must be a count, not '\(text)'") }
    return n == 0 ? nil : n
  }

  /// focus / ignore / hide from the query where given (empty turns one off), else the session's.
  func filter(for session: WebSession) throws(WebError) -> ProfileFilter {
    func pick(_ key: String, _ own: [String]) -> String? {
      let text = values[key] ?? own.joined(separator: "|")
      return text.isEmpty ? nil : text
    }
    do {
      return try ProfileFilter(
        focus: pick("focus", session.focus), ignore: pick("ignore", session.ignore), hide: pick("hide", session.hide))
    } catch {
      throw .badRequest(error.description)
    }
  }

  /// Percent-decoding; a malformed escape is kept as typed.
  static func decode(_ text: Substring) -> String {
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let b = utf8.popFirst() {
      if b == UInt8(ascii: "+") {
        bytes.append(UInt8(ascii: " "))
      } else if b == UInt8(ascii: "%"), utf8.count >= 2,
        let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
      {
        bytes.append(v)
        utf8 = utf8.dropFirst(2)
      } else {
        bytes.append(b)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// An `http://HOST[:PORT][/PATH][?QUERY]` URL, parsed by hand (no Foundation): what the
/// client needs to connect and what it sends as the request target.
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
  /// The host name or address, without IPv6 brackets.
  public var host: String
  /// The TCP port (80 when the URL names none).
  public var port: Int
  /// The request target: path and query, e.g. `/debug/pprof/profile?seconds=5` (at least `/`).
  public var target: String

  /// True when `text` starts like a URL (`http://` or `https://`, any case), so callers can tell
  /// a URL from a file name before parsing it.
  public static func looksLikeURL(_ text: String) -> Bool {
    let lower = text.prefix(8).lowercased()
    return lower.hasPrefix("http://") || lower.hasPrefix("https://")
  }

  /// Parses `text`; https gives `.httpsNotSupported`, anything else malformed `.badURL`.
  public init(_ text: String) throws(FetchError) {
    let lower = text.lowercased()
    if lower.hasPrefix("https://") { throw .httpsNotSupported }
    guard lower.hasPrefix("http://") else { throw .badURL(reason: "it does not start with http://") }
    var rest = Substring(text.dropFirst("http://".count))
    if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    var target = String(rest[authorityEnd...])
    if target.hasPrefix("?") { target = "/" + target }
    if target.isEmpty { target = "/" }
    guard !authority.contains("@") else { throw .badURL(reason: "user names and passwords are not supported") }
    for scalar in target.unicodeScalars where scalar.value <= 0x20 || scalar.value >= 0x7f {
      throw .badURL(reason: "the path has a space, control or non-ASCII character (percent-encode it)")
    }
    let hostPart: Substring
    let portPart: Substring?
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { throw .badURL(reason: "unclosed '[' in the host") }
      hostPart = authority[authority.index(after: authority.startIndex)..<close]
      let after = authority[authority.index(after: close)...]
      if after.isEmpty {
        portPart = nil
      } else if after.hasPrefix(":") {
        portPart = after.dropFirst()
      } else {
        throw .badURL(reason: "unexpected text after ']'")
      }
    } else if let colon = authority.lastIndex(of: ":") {
      hostPart = authority[..<colon]
      portPart = authority[authority.index(after: colon)...]
    } else {
      hostPart = authority
      portPart = nil
    }
    guard !hostPart.isEmpty else { throw .badURL(reason: "no host") }
    for scalar in hostPart.unicodeScalars
    where !(scalar.properties.isAlphabetic && scalar.isASCII)
      && !("0"..."9").contains(scalar) && !"-._:%".unicodeScalars.contains(scalar)
    {
      throw .badURL(reason: "the host '\(hostPart)' has a character hosts cannot have")
    }
    var port = 80
    if let portPart {
      guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy(\.isASCII), let p = Int(portPart),
        (1...65535).contains(p)
      else {
        throw .badURL(reason: "the port '\(portPart)' is not a number from 1 to 65535")
      }
      port = p
    }
    self.host = String(hostPart)
    self.port = port
    self.target = target
  }

  /// `host:port` as a message names it (IPv6 in brackets).
  public var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

  /// The URL as text.
  public var description: String { "http://\(authority)\(target)" }

  /// The request target's path, without the query.
  public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }

  /// The value of query parameter `name` (first occurrence, not percent-decoded), or nil.
  public func queryValue(_ name: String) -> Substring? {
    guard let q = target.firstIndex(of: "?") else { return nil }
    for pair in target[target.index(after: q)...].split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      if parts[0] == name { return parts.count > 1 ? parts[1] : "" }
    }
    return nil
  }

  /// The URL a redirect's `Location` names, resolved against this one. Only the same host and
  /// port are followed: anything else is `.redirectElsewhere`.
  public func resolving(location: String) throws(FetchError) -> HTTPURL {
    let lower = location.lowercased()
    var next: HTTPURL
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
      guard let url = try? HTTPURL(location) else { throw .redirectElsewhere(location: location) }
      next = url
    } else if location.hasPrefix("//") {
      guard let url = try? HTTPURL("http:" + location) else { throw .redirectElsewhere(location: location) }
      next = url
    } else {
      var resolved = self
      if location.hasPrefix("/") {
        resolved.target = location
      } else {
        let dir = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "/"
        resolved.target = dir + location
      }
      if let hash = resolved.target.firstIndex(of: "#") { resolved.target = String(resolved.target[..<hash]) }
      // Re-parse so the new target gets the same checks as a URL typed by hand.
      guard let checked = try? HTTPURL(resolved.description) else {
        throw .malformedResponse(reason: "redirect to an unusable Location '\(location)'")
      }
      next = checked
    }
    guard next.host.lowercased() == host.lowercased(), next.port == port else {
      throw .redirectElsewhere(location: location)
    }
    return next
  }
}

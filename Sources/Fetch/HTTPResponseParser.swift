/// Reads an HTTP/1.x response from bytes as they arrive: the status line, header fields, and a
/// body framed by `Transfer-Encoding: chunked`, `Content-Length`, or the end of the connection.
/// Incremental and linear in the input: bytes are looked at once however they are split.
/// Limits: the head at most `headLimit` bytes, the body at most `bodyLimit` bytes.
public struct HTTPResponseParser: Sendable {
  /// Default cap on the status line plus headers.
  public static let defaultHeadLimit = 64 * 1024

  private enum State: Sendable, Equatable {
    case statusLine
    case headers
    case fixed(remaining: Int)
    case chunkSize
    case chunkData(remaining: Int)
    case chunkDataEnd
    case trailers
    case untilClose
    case done
  }

  private let bodyLimit: Int
  private let headLimit: Int
  private var state = State.statusLine
  private var pending: [UInt8] = []
  private var cursor = 0
  private var headBytes = 0
  private var status = 0
  private var reason = ""
  private var headers: [(name: String, value: String)] = []
  private var body: [UInt8] = []
  /// Bytes received in all, for messages.
  public private(set) var received = 0

  /// A parser that refuses bodies over `bodyLimit` bytes and heads over `headLimit`.
  public init(bodyLimit: Int, headLimit: Int = HTTPResponseParser.defaultHeadLimit) {
    self.bodyLimit = bodyLimit
    self.headLimit = headLimit
  }

  /// True once the response is whole (bytes after it are ignored).
  public var isComplete: Bool { state == .done }

  /// The status code, once the status line has been read (0 before).
  public var statusCode: Int { status }

  /// Feeds the next bytes of the connection.
  public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(FetchError) {
    try append(bytes)
  }

  /// Convenience for arrays.
  public mutating func consume(_ bytes: [UInt8]) throws(FetchError) {
    try append(bytes)
  }

  private mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(FetchError) {
    guard state != .done else { return }
    received += bytes.count
    if cursor > 0 && cursor == pending.count {
      pending.removeAll(keepingCapacity: true)
      cursor = 0
    } else if cursor > 65536 && cursor * 2 > pending.count {
      pending.removeFirst(cursor)
      cursor = 0
    }
    pending.append(contentsOf: bytes)
    try advance()
  }

  /// The connection has ended: the whole response, or why it is not whole.
  public mutating func finish() throws(FetchError) -> HTTPResponse {
    switch state {
    case .done: break
    case .untilClose: state = .done
    case .statusLine:
      if received == 0 { throw .truncatedResponse(reason: "the server closed the connection without sending anything") }
      throw .truncatedResponse(reason: "the connection closed in the status line")
    case .headers: throw .truncatedResponse(reason: "the connection closed in the headers")
    case .fixed(let remaining):
      throw .truncatedResponse(
        reason: "the connection closed after \(body.count) of \(body.count + remaining) body bytes")
    case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
      throw .truncatedResponse(
        reason: "the connection closed in the middle of a chunked body (after \(body.count) bytes)")
    }
    return HTTPResponse(status: status, reason: reason, headers: headers, body: body)
  }

  /// Parses everything `pending` holds from `cursor`.
  private mutating func advance() throws(FetchError) {
    while state != .done {
      switch state {
      case .statusLine:
        guard let line = try nextLine(head: true) else { return }
        try parseStatusLine(line)
        state = .headers
      case .headers:
        guard let line = try nextLine(head: true) else { return }
        if line.isEmpty {
          try startBody()
        } else {
          try parseHeader(line)
        }
      case .fixed(let remaining):
        let n = min(remaining, pending.count - cursor)
        guard n > 0 else { return }
        body.append(contentsOf: pending[cursor..<cursor + n])
        cursor += n
        state = remaining == n ? .done : .fixed(remaining: remaining - n)
      case .untilClose:
        let n = pending.count - cursor
        guard n > 0 else { return }
        guard body.count + n <= bodyLimit else { throw .bodyTooLarge(limit: bodyLimit) }
        body.append(contentsOf: pending[cursor...])
        cursor = pending.count
      case .chunkSize:
        guard let line = try nextLine(head: false) else { return }
        let size = try chunkSize(line)
        if size == 0 {
          state = .trailers
        } else {
          guard size <= bodyLimit - body.count else { throw .bodyTooLarge(limit: bodyLimit) }
          state = .chunkData(remaining: size)
        }
      case .chunkData(let remaining):
        let n = min(remaining, pending.count - cursor)
        guard n > 0 else { return }
        body.append(contentsOf: pending[cursor..<cursor + n])
        cursor += n
        state = remaining == n ? .chunkDataEnd : .chunkData(remaining: remaining - n)
      case .chunkDataEnd:
        guard let line = try nextLine(head: false) else { return }
        guard line.isEmpty else { throw .malformedResponse(reason: "chunk data longer than its size line says") }
        state = .chunkSize
      case .trailers:
        guard let line = try nextLine(head: false) else { return }
        if line.isEmpty { state = .done }
      case .done:
        return
      }
    }
  }

  /// The next line (without LF or CRLF) from `cursor`, or nil when no whole line is there yet.
  /// Head lines count toward `headLimit`; chunk lines are capped at 4 KiB.
  private mutating func nextLine(head: Bool) throws(FetchError) -> ArraySlice<UInt8>? {
    let limit = head ? headLimit - headBytes : 4096
    let searchEnd = min(pending.count, cursor + limit + 1)
    guard let lf = pending[cursor..<searchEnd].firstIndex(of: UInt8(ascii: "\n")) else {
      if searchEnd - cursor > limit {
        if head { throw .headTooLarge(limit: headLimit) }
        throw .malformedResponse(reason: "a chunk size line is longer than 4 KiB")
      }
      return nil
    }
    var end = lf
    if end > cursor && pending[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    let line = pending[cursor..<end]
    if head { headBytes += lf + 1 - cursor }
    cursor = lf + 1
    return line
  }

  private mutating func parseStatusLine(_ line: ArraySlice<UInt8>) throws(FetchError) {
    // HTTP/1.1 200 OK
    let text = String(decoding: line, as: UTF8.self)
    guard text.hasPrefix("HTTP/1.") else {
      let shown = String(
        text.unicodeScalars.prefix(40).filter { $0.value >= 0x20 && $0.value < 0x7f }.map(Character.init))
      throw .malformedResponse(reason: "the reply starts '\(shown)'")
    }
    let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count >= 2, parts[1].count == 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
      let code = Int(parts[1]),
      code >= 100
    else {
      throw .malformedResponse(reason: "bad status line")
    }
    status = code
    reason =
      parts.count > 2
      ? String(parts[2].unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init)) : ""
  }

  private mutating func parseHeader(_ line: ArraySlice<UInt8>) throws(FetchError) {
    guard headers.count < 256 else { throw .malformedResponse(reason: "more than 256 header fields") }
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
      throw .malformedResponse(reason: "a header line without a name and ':'")
    }
    let name = String(decoding: line[..<colon], as: UTF8.self)
    guard !name.contains(" "), !name.contains("\t") else {
      throw .malformedResponse(reason: "a header name with a space")
    }
    let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
    headers.append((name, value))
  }

  /// Picks the body framing once the head has ended (RFC 9112 §6.3).
  private mutating func startBody() throws(FetchError) {
    if (100..<200).contains(status) {
      // An interim response (100 Continue): the real one follows.
      headers.removeAll()
      state = .statusLine
      return
    }
    if status == 204 || status == 304 {
      state = .done
      return
    }
    let codings = headers.filter { $0.name.lowercased() == "transfer-encoding" }
      .flatMap { $0.value.lowercased().split(separator: ",").map { String($0).trimmingSpaces } }
    if let last = codings.last {
      guard last == "chunked" else { throw .malformedResponse(reason: "unsupported transfer coding '\(last)'") }
      state = .chunkSize
      return
    }
    let lengths = headers.filter { $0.name.lowercased() == "content-length" }.map { $0.value }
    if let first = lengths.first {
      guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.count <= 18,
        first.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(first)
      else {
        throw .malformedResponse(reason: "bad Content-Length '\(lengths.joined(separator: ", "))'")
      }
      guard length <= bodyLimit else { throw .bodyTooLarge(limit: bodyLimit) }
      body.reserveCapacity(min(length, 1 << 24))
      state = length == 0 ? .done : .fixed(remaining: length)
      return
    }
    state = .untilClose
  }

  private func chunkSize(_ line: ArraySlice<UInt8>) throws(FetchError) -> Int {
    // SIZE in hex, optionally ";extensions".
    let digits = line.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
    guard !digits.isEmpty, digits.count <= 15 else { throw .malformedResponse(reason: "bad chunk size line") }
    var size = 0
    for byte in digits {
      let v: Int
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): v = Int(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): v = Int(byte - UInt8(ascii: "a")) + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): v = Int(byte - UInt8(ascii: "A")) + 10
      default: throw .malformedResponse(reason: "bad chunk size line")
      }
      size = size * 16 + v
    }
    return size
  }
}

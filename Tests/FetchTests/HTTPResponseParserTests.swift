import XCTest

@testable import Fetch

/// The response parser on hand-made bytes: framing (length, chunked, until close), limits,
/// truncation, and the same result however the bytes are split.
final class HTTPResponseParserTests: XCTestCase {
  private func parse(_ text: String, limit: Int = 1 << 20, split: Int? = nil) throws -> HTTPResponse {
    try parse(Array(text.utf8), limit: limit, split: split)
  }

  private func parse(_ bytes: [UInt8], limit: Int = 1 << 20, split: Int? = nil) throws -> HTTPResponse {
    var parser = HTTPResponseParser(bodyLimit: limit)
    if let split {
      var i = 0
      while i < bytes.count {
        try parser.consume(Array(bytes[i..<min(bytes.count, i + split)]))
        i += split
      }
    } else {
      try parser.consume(bytes)
    }
    return try parser.finish()
  }

  private func error(_ body: () throws -> Any) -> FetchError? {
    do {
      _ = try body()
      return nil
    } catch {
      return error as? FetchError
    }
  }

  func testContentLengthBody() throws {
    let r = try parse(
      "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\nhelloEXTRA")
    XCTAssertEqual(r.status, 200)
    XCTAssertEqual(r.reason, "OK")
    XCTAssertEqual(r.header("content-type"), "application/octet-stream")
    XCTAssertEqual(r.body, Array("hello".utf8))
  }

  func testChunkedBodyWithExtensionsAndTrailers() throws {
    let text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n"
    for split in [nil, 1, 2, 3, 7] {
      let r = try parse(text, split: split)
      XCTAssertEqual(
        String(decoding: r.body, as: UTF8.self), "Wikipedia in\r\n\r\nchunks.", "split \(String(describing: split))")
    }
  }

  func testBodyUntilCloseAndBareLF() throws {
    let r = try parse("HTTP/1.0 200 OK\nServer: x\n\nall of it")
    XCTAssertEqual(String(decoding: r.body, as: UTF8.self), "all of it")
    XCTAssertEqual(r.header("Server"), "x")
  }

  func testInterimResponseIsSkipped() throws {
    let r = try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n")
    XCTAssertEqual(r.status, 404)
    XCTAssertEqual(r.reason, "Not Found")
    XCTAssertEqual(r.firstBodyLine, "no")
  }

  func testTruncations() {
    XCTAssertEqual(
      error { try self.parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc") },
      .truncatedResponse(reason: "the connection closed after 3 of 10 body bytes"))
    XCTAssertEqual(
      error { try self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab") },
      .truncatedResponse(reason: "the connection closed in the middle of a chunked body (after 2 bytes)"))
    XCTAssertEqual(
      error { try self.parse("HTTP/1.1 200 OK\r\nContent-") },
      .truncatedResponse(reason: "the connection closed in the headers"))
    XCTAssertEqual(
      error { try self.parse("") },
      .truncatedResponse(reason: "the server closed the connection without sending anything"))
  }

  func testMalformedAndOverLimit() {
    XCTAssertEqual(
      error { try self.parse("SSH-2.0-OpenSSH_9.2\r\n") },
      .malformedResponse(reason: "the reply starts 'SSH-2.0-OpenSSH_9.2'"))
    XCTAssertEqual(error { try self.parse("HTTP/1.1 2x0 OK\r\n\r\n") }, .malformedResponse(reason: "bad status line"))
    XCTAssertEqual(
      error { try self.parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") },
      .malformedResponse(reason: "bad Content-Length '3, 4'"))
    XCTAssertEqual(
      error { try self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") },
      .malformedResponse(reason: "bad chunk size line"))
    XCTAssertEqual(
      error { try self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n") },
      .malformedResponse(reason: "chunk data longer than its size line says"))
    XCTAssertEqual(
      error { try self.parse("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", limit: 10) }, .bodyTooLarge(limit: 10))
    XCTAssertEqual(
      error {
        try self.parse(
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n", limit: 10)
      },
      .bodyTooLarge(limit: 10))
    XCTAssertEqual(
      error { try self.parse("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 11), limit: 10) },
      .bodyTooLarge(limit: 10))
    let longHeader = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 70_000) + "\r\n\r\n"
    XCTAssertEqual(error { try self.parse(longHeader) }, .headTooLarge(limit: HTTPResponseParser.defaultHeadLimit))
  }

  func testFirstBodyLineDropsControlsAndCaps() {
    let r = HTTPResponse(status: 500, reason: "", headers: [], body: Array("\n  bad \u{1b}[31mthing  \nsecond".utf8))
    XCTAssertEqual(r.firstBodyLine, "bad [31mthing")
  }
}

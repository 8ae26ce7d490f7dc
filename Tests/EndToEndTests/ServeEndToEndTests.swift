import Foundation
import Glibc
import PerfshTestSupport
import XCTest

/// `perfsh serve FILE` over real sockets: the token, 403, 404, traversal, the default bind,
/// a burst of concurrent requests, and a clean stop on SIGINT.
final class ServeEndToEndTests: XCTestCase {
  private var process: Process?
  private var home: URL?

  override func tearDown() {
    if let p = process, p.isRunning {
      kill(p.processIdentifier, SIGKILL)
      p.waitUntilExit()
    }
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  /// Starts perfsh with `arguments` in a fresh home holding known.folded and returns the
  /// port and token of the URL it prints.
  private func startServer(
    _ arguments: [String] = ["--no-rc", "serve", "known.folded", "--port", "0"],
    prepare: (URL) throws -> [String: String] = { _ in [:] }
  ) throws -> (port: UInt16, token: String) {
    let home = try ProcessRunner.temporaryDirectory("serve")
    self.home = home
    let extra = try prepare(home)
    try "main;parse;scan 30\nmain;parse 20\nmain;emit 10\n".write(
      to: home.appendingPathComponent("known.folded"), atomically: true, encoding: .utf8)
    let outURL = home.appendingPathComponent("stdout")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    let p = Process()
    p.executableURL = try PerfshBinary.url()
    p.arguments = arguments
    p.currentDirectoryURL = home
    p.environment = try PerfshBinary.environment(home: home, extra: extra)
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    try p.run()
    process = p
    for _ in 0..<300 {
      let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
      if let range = text.range(of: #"http://127\.0\.0\.1:(\d+)/([0-9a-f]{32})/"#, options: .regularExpression) {
        let url = String(text[range]).dropFirst("http://127.0.0.1:".count)
        let parts = url.split(separator: "/")
        return (UInt16(parts[0]) ?? 0, String(parts[1]))
      }
      XCTAssertTrue(p.isRunning, "perfsh serve exited: \(text)")
      if !p.isRunning { break }
      usleep(100_000)
    }
    throw XCTSkip("no URL printed")
  }

  func testTokenNotFoundTraversalAndDefaultBind() throws {
    let (port, token) = try startServer()
    let page = try HTTPGet.get("127.0.0.1", port, "/\(token)/")
    XCTAssertEqual(page.status, 200)
    XCTAssertTrue(page.body.contains("<title>perfsh</title>"), page.body)

    let list = try HTTPGet.get("127.0.0.1", port, "/\(token)/api/sessions")
    XCTAssertEqual(list.status, 200)
    XCTAssertTrue(list.body.contains(#""id":1,"name":"known.folded""#), list.body)
    let top = try HTTPGet.get("127.0.0.1", port, "/\(token)/api/session/1/top")
    XCTAssertTrue(top.body.contains(#""rows":[{"name":"scan","flat":30"#), top.body)

    XCTAssertEqual(try HTTPGet.get("127.0.0.1", port, "/api/sessions").status, 403)
    XCTAssertEqual(try HTTPGet.get("127.0.0.1", port, "/\(String(token.reversed()))/api/sessions").status, 403)
    XCTAssertEqual(try HTTPGet.get("127.0.0.1", port, "/\(token)/assets/../../../etc/passwd").status, 404)
    XCTAssertEqual(try HTTPGet.get("127.0.0.1", port, "/\(token)/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd").status, 404)
    let dropped = try HTTPGet.get("127.0.0.1", port, "/\(token)/api/session/9/summary")
    XCTAssertEqual(dropped.status, 404)
    XCTAssertTrue(dropped.body.hasPrefix(#"{"error":"no session 9"#), dropped.body)
    XCTAssertEqual(dropped.contentType, "application/json; charset=utf-8")

    // Bound to 127.0.0.1 only: another loopback address of this machine is refused.
    XCTAssertThrowsError(try HTTPGet.get("127.0.0.2", port, "/\(token)/")) { error in
      XCTAssertEqual((error as? HTTPGet.Failure)?.errno, ECONNREFUSED, "\(error)")
    }

    // A bounded burst: 1,000 requests, 50 at a time, every one answered 200.
    let failures = HTTPGet.burst("127.0.0.1", port, "/\(token)/api/session/1/top", total: 1000, concurrency: 50)
    XCTAssertEqual(failures, [], "failed requests")

    let p = try XCTUnwrap(process)
    kill(p.processIdentifier, SIGINT)
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0)
  }
}

extension ServeEndToEndTests {
  /// `--open` hands the printed URL (with its token) to xdg-open: a stand-in on PATH records it.
  func testOpenHandsTheURLToXdgOpen() throws {
    var opened: URL?
    let (port, token) = try startServer(["--no-rc", "serve", "known.folded", "--port", "0", "--open"]) { home in
      let bin = home.appendingPathComponent("fake-bin")
      try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
      let record = home.appendingPathComponent("opened")
      opened = record
      let opener = bin.appendingPathComponent("xdg-open")
      try "#!/bin/sh\nprintf '%s\\n' \"$@\" > '\(record.path).part' && mv '\(record.path).part' '\(record.path)'\n"
        .write(to: opener, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: opener.path)
      let path = try PerfshBinary.environment(home: home)["PATH"] ?? "/usr/bin:/bin"
      return ["PATH": bin.path + ":" + path]
    }
    let record = try XCTUnwrap(opened)
    var text: String?
    for _ in 0..<100 {
      text = try? String(contentsOf: record, encoding: .utf8)
      if text != nil { break }
      usleep(100_000)
    }
    XCTAssertEqual(text, "http://127.0.0.1:\(port)/\(token)/\n", "xdg-open got one argument: the URL")
  }

  /// While `run` captures, the run's page shows a live session (already under its `--name`)
  /// whose samples grow; the final session replaces it under the same id.
  func testRunInProgressIsLiveThenFinal() throws {
    try PerfEvents.skipUnlessAvailable()
    let loop = "i=0; while [ $i -lt 3000000 ]; do i=$((i+1)); done"
    let (port, token) = try startServer([
      "--no-rc", "-c", "serve --port 0 --detach; run --name busy sh -c '\(loop)'; !sleep 30",
    ])
    var liveSamples: [Int] = []
    var final: String?
    for _ in 0..<600 {
      let body = try HTTPGet.get("127.0.0.1", port, "/\(token)/api/sessions").body
      if body.contains(#""id":1,"name":"busy""#), body.contains(#""live":true"#),
        let r = body.range(of: #""samples":\d+"#, options: .regularExpression),
        let n = Int(body[r].dropFirst(#""samples":"#.count))
      {
        if liveSamples.last != n { liveSamples.append(n) }
      } else if body.contains(#""id":1,"#), body.contains(#""live":false"#) {
        final = body
        break
      }
      usleep(200_000)
    }
    XCTAssertGreaterThanOrEqual(liveSamples.count, 2, "live snapshots seen: \(liveSamples)")
    XCTAssertEqual(liveSamples, liveSamples.sorted(), "samples only grow")
    let finished = try XCTUnwrap(final, "the final session never replaced the live one")
    XCTAssertFalse(finished.contains(#""live":true"#), finished)
    XCTAssertTrue(finished.contains(#""name":"busy","source":"sh -c "#), finished)
    let top = try HTTPGet.get("127.0.0.1", port, "/\(token)/api/session/1/top")
    XCTAssertEqual(top.status, 200)
  }
}

/// A minimal HTTP/1.1 GET over a plain socket, so the test sees exactly what the server sends.
enum HTTPGet {
  struct Failure: Error {
    var errno: Int32
    var what: String
  }
  struct Answer {
    var status: Int
    var contentType: String
    var body: String
  }

  static func get(_ host: String, _ port: UInt16, _ path: String) throws -> Answer {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw Failure(errno: errno, what: "socket") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, host, &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { throw Failure(errno: errno, what: "connect") }
    let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = recv(fd, &buffer, buffer.count, 0)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { break }
      data += buffer[0..<n]
    }
    let text = String(decoding: data, as: UTF8.self)
    guard let headEnd = text.range(of: "\r\n\r\n") else { throw Failure(errno: 0, what: "no header in \(text)") }
    let head = text[..<headEnd.lowerBound].split(separator: "\r\n")
    let status = head.first.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    let type =
      head.first { $0.lowercased().hasPrefix("content-type:") }.map {
        String($0.dropFirst("content-type:".count)).trimmingCharacters(in: .whitespaces)
      } ?? ""
    var body = String(text[headEnd.upperBound...])
    if head.contains(where: { $0.lowercased() == "transfer-encoding: chunked" }) { body = dechunk(body) }
    return Answer(status: status, contentType: type, body: body)
  }

  static func dechunk(_ text: String) -> String {
    var out = ""
    var rest = Substring(text)
    while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
      let start = line.upperBound
      let end = rest.utf8.index(start, offsetBy: size)
      out += rest[start..<end]
      rest = rest[end...].dropFirst(2)
    }
    return out
  }

  /// `total` GETs from `concurrency` threads; the failures as text (empty when all were 200).
  static func burst(_ host: String, _ port: UInt16, _ path: String, total: Int, concurrency: Int) -> [String] {
    let failures = FailureList()
    let group = DispatchGroup()
    for _ in 0..<concurrency {
      group.enter()
      // Threads, not concurrentPerform: that would run only as many at once as there are cores.
      Thread {
        for _ in 0..<(total / concurrency) {
          do {
            let a = try get(host, port, path)
            if a.status != 200 { failures.add("status \(a.status)") }
          } catch {
            failures.add("\(error)")
          }
        }
        group.leave()
      }.start()
    }
    group.wait()
    return failures.all
  }
}

/// Failures collected from many threads.
final class FailureList: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [String] = []
  func add(_ item: String) { lock.withLock { items.append(item) } }
  var all: [String] { lock.withLock { items } }
}

/// `serve` inside the interactive shell (tmux): the prompt answers while the server runs, a
/// session dropped at the prompt is 404 on the server, and `serve stop` closes the port.
final class ServeInteractiveEndToEndTests: XCTestCase {
  func testPromptStaysUsableDropShowsAndStopCloses() throws {
    let home = try ProcessRunner.temporaryDirectory("serve-tmux")
    defer { try? FileManager.default.removeItem(at: home) }
    let folded = home.appendingPathComponent("known.folded")
    try "main;parse;scan 30\nmain;emit 10\n".write(to: folded, atomically: true, encoding: .utf8)
    let binary = try PerfshBinary.url().path
    let assignments = try TmuxSession.environmentAssignments(home: home)
    let shell = try TmuxSession(command: "env -i \(assignments) '\(binary)' --no-rc", columns: 140, rows: 40)
    try shell.waitForScreen { $0.hasSuffix("perfsh>") }
    try shell.type("load \(folded.path)")
    try shell.sendKeys("Enter")
    try shell.waitForScreen { $0.contains("[1] known.folded") }
    try shell.type("serve --port 0")
    try shell.sendKeys("Enter")
    let screen = try shell.waitForScreen { $0.contains("serving 1 session(s) at http://") && $0.hasSuffix("perfsh>") }
    let range = try XCTUnwrap(screen.range(of: #"127\.0\.0\.1:\d+/[0-9a-f]{32}/"#, options: .regularExpression), screen)
    let parts = screen[range].dropFirst("127.0.0.1:".count).split(separator: "/")
    let port = try XCTUnwrap(UInt16(parts[0]))
    let token = String(parts[1])

    XCTAssertEqual(try HTTPGet.get("127.0.0.1", port, "/\(token)/api/session/1/summary").status, 200)
    try shell.type("top")
    try shell.sendKeys("Enter")
    let top = try shell.waitForScreen { $0.contains(" scan\n") || $0.hasSuffix(" scan") || $0.contains(" emit") }
    XCTAssertTrue(top.contains("scan"), "top did not answer while serving:\n\(top)")

    try shell.type("drop 1")
    try shell.sendKeys("Enter")
    try shell.waitForScreen { $0.contains("dropped [1] known.folded") }
    let dropped = try HTTPGet.get("127.0.0.1", port, "/\(token)/api/session/1/summary")
    XCTAssertEqual(dropped.status, 404)
    XCTAssertTrue(dropped.body.contains("no session 1"), dropped.body)

    try shell.type("serve stop")
    try shell.sendKeys("Enter")
    try shell.waitForScreen { $0.contains("stopped serving") }
    XCTAssertThrowsError(try HTTPGet.get("127.0.0.1", port, "/\(token)/")) { error in
      XCTAssertEqual((error as? HTTPGet.Failure)?.errno, ECONNREFUSED, "\(error)")
    }
    try shell.type("quit")
    try shell.sendKeys("Enter")
  }
}

extension ServeEndToEndTests {
  /// Another address than loopback binds with a warning; bad ports and a stop with nothing to stop fail clearly.
  func testListenWarningAndErrors() throws {
    let home = try ProcessRunner.temporaryDirectory("serve-args")
    defer { try? FileManager.default.removeItem(at: home) }
    let env = try PerfshBinary.environment(home: home)
    let wide = try PerfshBinary.run(["--no-rc", "-c", "serve --listen 0.0.0.0 --port 0 --detach"], environment: env)
    XCTAssertEqual(wide.status, 0, wide.stderr)
    XCTAssertTrue(wide.stderr.contains("serving on 0.0.0.0, not loopback"), wide.stderr)
    XCTAssertTrue(wide.stdout.contains("serving 0 session(s) at http://0.0.0.0:"), wide.stdout)
    let loopback = try PerfshBinary.run(["--no-rc", "-c", "serve --port 0 --detach"], environment: env)
    XCTAssertFalse(loopback.stderr.contains("not loopback"), loopback.stderr)
    let stop = try PerfshBinary.run(["--no-rc", "-c", "serve stop"], environment: env)
    XCTAssertEqual(stop.status, 1)
    XCTAssertTrue(stop.stderr.contains("serve stop: no server is running"), stop.stderr)
    let port = try PerfshBinary.run(["--no-rc", "-c", "serve --port 70000"], environment: env)
    XCTAssertTrue(port.stderr.contains("--port must be 0…65535, not 70000"), port.stderr)
  }
}

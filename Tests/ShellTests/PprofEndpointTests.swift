import Analysis
import Formats
import Foundation
import PerfshTestSupport
import ProfileModel
import Shell
import XCTest

/// `load http://…`: a real Go `net/http/pprof` server (values equal to `go tool pprof -top` on the
/// same bytes) and a scripted server that misbehaves on purpose (one message, no session).
final class PprofEndpointTests: XCTestCase {
  /// perfsh's `top` rows (every node) for one sample type, keyed like `go tool pprof -top`.
  private func top(_ profile: Profile, sampleIndex: String) throws -> [String: GoToolchain.TopRow] {
    let column = try XCTUnwrap(profile.sampleTypes.firstIndex { $0.type == sampleIndex }, sampleIndex)
    let report = try TopReport(
      profile: profile, options: TopOptions(graph: GraphOptions(valueIndex: column), nodeCount: nil, nodeFraction: 0))
    var rows: [String: GoToolchain.TopRow] = [:]
    for row in report.rows where row.flat != 0 || row.cum != 0 {
      rows[row.info.name] = GoToolchain.TopRow(flat: row.flat, cum: row.cum)
    }
    return rows
  }

  func testGoEndpointsLoadToGoToolPprofsNumbers() throws {
    if GoToolchain.goPath == nil { throw XCTSkip("go is not installed (scripts/test installs golang-go)") }
    let server = try GoPprofServer.start()
    defer { server.stop() }
    let dir = try GoToolchain.temporaryDirectory("endpoints")
    defer { try? FileManager.default.removeItem(at: dir) }
    let cases: [(endpoint: String, types: [String], indexes: [String])] = [
      ("profile?seconds=1", ["samples/count", "cpu/nanoseconds"], ["samples", "cpu"]),
      (
        "heap", ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"],
        ["inuse_space", "alloc_objects"]
      ),
      ("goroutine", ["goroutine/count"], ["goroutine"]),
      ("mutex", ["contentions/count", "delay/nanoseconds"], ["contentions", "delay"]),
    ]
    let shell = CapturedShell()
    for (number, c) in cases.enumerated() {
      let file = dir.appendingPathComponent("\(number).pb.gz")
      let outcome = shell.runScript("load '\(server.url(c.endpoint))' --save '\(file.path)'")
      XCTAssertEqual(outcome.exitStatus, 0, "\(c.endpoint): \(shell.stderr)")
      let session = try XCTUnwrap(shell.context.sessions.sessions.last)
      XCTAssertEqual(session.id, number + 1)
      XCTAssertEqual(session.profile.sampleTypes.map(\.description), c.types, c.endpoint)
      for index in c.indexes {
        let expected = try GoToolchain.pprofTop(file, sampleIndex: index)
        XCTAssertEqual(try top(session.profile, sampleIndex: index), expected, "\(c.endpoint) \(index)")
      }
    }
    XCTAssertTrue(shell.stderr.contains("collecting a 1s profile from 127.0.0.1:\(server.port)"), shell.stderr)
    XCTAssertTrue(shell.stdout.contains("[2] heap  samples"), shell.stdout)
    let profiles = shell.context.sessions.sessions.map(\.profile)
    // Known by construction: the CPU goes to main.burn; 1,000 × 4 KiB live in main.large (plus
    // the growth of the slice that keeps them); 10 goroutines park in main.parked; 4 goroutines
    // fight for one mutex in main.contend.
    XCTAssertGreaterThan(try top(profiles[0], sampleIndex: "cpu")["main.burn"]?.flat ?? 0, 0)
    let large = try top(profiles[1], sampleIndex: "inuse_space")["main.large"]?.flat ?? 0
    XCTAssertTrue((4_096_000..<4_096_000 + 65_536).contains(large), "\(large)")
    XCTAssertEqual(try top(profiles[2], sampleIndex: "goroutine")["main.parked"]?.cum, 10)
    XCTAssertGreaterThan(try top(profiles[3], sampleIndex: "contentions")["main.contend"]?.cum ?? 0, 0)
    // The saved bytes are what the server sent: gzipped pprof as Go writes it.
    XCTAssertTrue(Gzip.isGzip(Array(try Data(contentsOf: dir.appendingPathComponent("1.pb.gz")))))
  }

  /// Every error line `failure` returned, ports replaced by `PORT`, for the golden file.
  private var messages: [String] = []

  /// Loads `url` in a fresh shell and returns the error line; checks that no session was made.
  private func failure(_ command: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    let shell = CapturedShell()
    let outcome = shell.runScript(command)
    XCTAssertEqual(outcome.exitStatus, 1, file: file, line: line)
    XCTAssertTrue(shell.context.sessions.sessions.isEmpty, "no session on failure", file: file, line: line)
    let message = shell.stderr.split(separator: "\n").last.map(String.init) ?? ""
    messages.append(message.replacing(/127\.0\.0\.1:[0-9]+/, with: "127.0.0.1:PORT"))
    return message
  }

  private static let pprofBytes: [UInt8] = (try? PprofEncoder.encode(ProfileFixtures.cpu())) ?? []

  func testMisbehavingServersGiveOneMessageAndNoSession() throws {
    let refused = GoPprofServer.freePort()
    XCTAssertEqual(
      failure("load http://127.0.0.1:\(refused)/debug/pprof/heap"),
      "test.perfsh:1: http://127.0.0.1:\(refused)/debug/pprof/heap: connection refused by 127.0.0.1:\(refused) (is the server running and listening there?)"
    )

    let notFound = try ScriptedHTTPServer(
      response: "HTTP/1.1 404 Not Found\r\nContent-Length: 16\r\n\r\nUnknown profile\n")
    XCTAssertEqual(
      failure("load \(notFound.url("/debug/pprof/nosuch"))"),
      "test.perfsh:1: \(notFound.url("/debug/pprof/nosuch")): HTTP 404 Not Found: Unknown profile")
    notFound.stop()

    let html = try ScriptedHTTPServer(
      response:
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>pprof index</body></html>\n")
    XCTAssertEqual(
      failure("load \(html.url("/"))"),
      "test.perfsh:1: \(html.url("/")): the server sent text/html starting '<html><body>pprof index</body></html>', not a pprof profile (name a profile, e.g. /debug/pprof/heap or /debug/pprof/profile?seconds=5)"
    )
    html.stop()

    let trace = try ScriptedHTTPServer([
      [
        .text("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\ngo 1.19 trace"),
        .send([0, 0, 0, 0x41, 0xdd, 0xa1, 0xff, 0x10]),
      ]
    ])
    XCTAssertEqual(
      failure("load '\(trace.url("/debug/pprof/trace?seconds=1"))'"),
      "test.perfsh:1: \(trace.url("/debug/pprof/trace?seconds=1")): the server sent application/octet-stream starting 'go 1.19 trace…', not a pprof profile (/debug/pprof/trace is Go's execution trace: open it with go tool trace)"
    )
    trace.stop()

    let bytes = Self.pprofBytes
    let truncated = try ScriptedHTTPServer([
      [
        .text("HTTP/1.1 200 OK\r\nContent-Length: \(bytes.count)\r\n\r\n"), .send(Array(bytes.prefix(bytes.count / 2))),
      ]
    ])
    XCTAssertEqual(
      failure("load \(truncated.url())"),
      "test.perfsh:1: \(truncated.url()): truncated response: the connection closed after \(bytes.count / 2) of \(bytes.count) body bytes"
    )
    truncated.stop()

    // A gzip stream cut short but framed as whole (no Content-Length, the server just closes).
    let cutGzip = try ScriptedHTTPServer([
      [.text("HTTP/1.1 200 OK\r\n\r\n"), .send(Array(bytes.prefix(bytes.count - 9)))]
    ])
    XCTAssertTrue(
      failure("load \(cutGzip.url())").hasPrefix(
        "test.perfsh:1: \(cutGzip.url()): the body is not a valid pprof profile: truncated gzip"))
    cutGzip.stop()

    let slow = try ScriptedHTTPServer([[.pause(1500), .text("HTTP/1.1 200 OK\r\n\r\n")]])
    let clock = ContinuousClock()
    let start = clock.now
    XCTAssertEqual(
      failure("load \(slow.url()) --timeout 300ms"),
      "test.perfsh:1: \(slow.url()): no response within 300ms (use --timeout to wait longer)")
    XCTAssertLessThan(clock.now - start, .seconds(1.4), "gave up before the server answered")
    slow.stop()

    let stalled = try ScriptedHTTPServer([[.text("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc"), .pause(1500)]])
    XCTAssertEqual(
      failure("load \(stalled.url()) --timeout 500ms"),
      "test.perfsh:1: \(stalled.url()): the server stopped sending for 500ms after 44 bytes (use --timeout to wait longer)"
    )
    stalled.stop()

    let elsewhere = try ScriptedHTTPServer(
      response: "HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/x\r\nContent-Length: 0\r\n\r\n")
    XCTAssertEqual(
      failure("load \(elsewhere.url())"),
      "test.perfsh:1: \(elsewhere.url()): redirected to http://10.0.0.1/x, another host; perfsh follows redirects on the same host only (load that URL directly)"
    )
    elsewhere.stop()

    let loop = try ScriptedHTTPServer(response: "HTTP/1.1 301 Moved\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n")
    XCTAssertEqual(failure("load \(loop.url())"), "test.perfsh:1: \(loop.url()): more than 3 redirects")
    XCTAssertEqual(loop.requests.count, 4)
    loop.stop()

    XCTAssertEqual(
      failure("load https://127.0.0.1/debug/pprof/heap"),
      "test.perfsh:1: https://127.0.0.1/debug/pprof/heap: https is not supported (perfsh speaks plain HTTP/1.1); fetch it with curl -o FILE and load the file"
    )
    XCTAssertEqual(
      failure("load cpu.pb.gz --timeout 1s"), "test.perfsh:1: load: --timeout and --save are for http:// URLs")
    assertSnapshot(messages.joined(separator: "\n") + "\n", named: "load-url-errors")
  }

  func testCtrlCEndsAFetchWithoutASession() throws {
    let slow = try ScriptedHTTPServer([[.pause(2500), .text("HTTP/1.1 200 OK\r\n\r\n")]])
    // SIGINT only once the request is in: the load's handler is installed by then (it is
    // installed before connecting), so the signal cannot reach the test process's default action.
    let interrupter = Thread {
      while slow.requests.isEmpty { usleep(10_000) }
      usleep(100_000)
      kill(getpid(), SIGINT)
    }
    interrupter.start()
    let clock = ContinuousClock()
    let start = clock.now
    XCTAssertEqual(
      failure("load \(slow.url()) --timeout 10s"), "test.perfsh:1: \(slow.url()): interrupted; nothing was loaded")
    XCTAssertLessThan(clock.now - start, .seconds(2), "stopped within a second of Ctrl-C, not at the server's answer")
    slow.stop()
  }

  func testHelpLoadGolden() {
    let shell = CapturedShell()
    XCTAssertEqual(shell.runScript("help load").exitStatus, 0, shell.stderr)
    assertSnapshot(shell.stdout, named: "help-load")
  }

  func testChunkedBodyAfterRedirectsLoads() throws {
    let bytes = Self.pprofBytes
    var chunked: [ScriptedHTTPServer.Step] = [.text("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")]
    var offset = 0
    while offset < bytes.count {
      let n = min(7, bytes.count - offset)
      chunked.append(.text(String(n, radix: 16) + "\r\n"))
      chunked.append(.send(Array(bytes[offset..<offset + n])))
      chunked.append(.text("\r\n"))
      offset += n
    }
    chunked.append(.text("0\r\n\r\n"))
    let server = try ScriptedHTTPServer([
      [.text("HTTP/1.1 302 Found\r\nLocation: /debug/pprof/second\r\nContent-Length: 0\r\n\r\n")],
      [.text("HTTP/1.1 307 Temporary Redirect\r\nLocation: profile?seconds=1\r\n\r\n")],
      chunked,
    ])
    defer { server.stop() }
    let shell = CapturedShell()
    XCTAssertEqual(shell.runScript("load \(server.url("/start")) --name fetched").exitStatus, 0, shell.stderr)
    let session = try XCTUnwrap(shell.context.sessions.sessions.first)
    XCTAssertEqual(session.name, "fetched")
    let expected = ProfileFixtures.cpu()
    XCTAssertEqual(session.profile.samples.count, expected.samples.count)
    XCTAssertEqual(session.profile.total(column: 0), expected.total(column: 0))
    XCTAssertEqual(
      server.requests.map { $0.split(separator: "\r\n").first.map(String.init) ?? "" },
      [
        "GET /start HTTP/1.1", "GET /debug/pprof/second HTTP/1.1", "GET /debug/pprof/profile?seconds=1 HTTP/1.1",
      ])
    XCTAssertTrue(server.requests[0].contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"))
  }
}

/// `run --pprof-endpoint`: perfsh's samples and Go's own CPU profile of the same run.
final class RunPprofEndpointTests: XCTestCase {
  func testRunFetchesGosProfileIntoASecondSession() throws {
    try PerfEvents.skipUnlessAvailable()
    if GoToolchain.goPath == nil { throw XCTSkip("go is not installed (scripts/test installs golang-go)") }
    let binary = try GoPprofServer.binary()
    let port = GoPprofServer.freePort()
    let shell = CapturedShell()
    let url = "http://127.0.0.1:\(port)/debug/pprof/profile?seconds=1"
    // The program listens on PORT and lives 3 s; the fetch retries until the port accepts.
    let outcome = shell.runScript("run --name go --pprof-endpoint '\(url)' '\(binary)' \(port) 3; compare 1 2")
    XCTAssertEqual(outcome.exitStatus, 0, shell.stderr)
    let sessions = shell.context.sessions.sessions
    XCTAssertEqual(sessions.map(\.name), ["go", "go (go pprof)"])
    let go = sessions[1].profile
    XCTAssertEqual(go.sampleTypes.map(\.description), ["samples/count", "cpu/nanoseconds"])
    XCTAssertEqual(go.period, 10_000_000, "Go's 100 Hz SIGPROF profile")
    XCTAssertTrue(go.functions.contains { go.strings[$0.name] == "main.burn" }, "main.burn in Go's profile")
    XCTAssertTrue(shell.stdout.contains("[2] go (go pprof)  cpu "), shell.stdout)
    XCTAssertTrue(shell.stdout.contains("=== perfsh Compare: A = [1] go | B = [2] go (go pprof) ==="), shell.stdout)
    XCTAssertTrue(sessions[1].source.description.hasPrefix("\(url) (gzipped pprof, fetched during the run)"))
  }

  func testProgramExitingBeforeTheProfileIsDoneWarnsAndKeepsTheRun() throws {
    try PerfEvents.skipUnlessAvailable()
    if GoToolchain.goPath == nil { throw XCTSkip("go is not installed (scripts/test installs golang-go)") }
    let binary = try GoPprofServer.binary()
    let port = GoPprofServer.freePort()
    let shell = CapturedShell()
    let url = "http://127.0.0.1:\(port)/debug/pprof/profile?seconds=30"
    XCTAssertEqual(
      shell.runScript("run --name go --pprof-endpoint '\(url)' '\(binary)' \(port) 1").exitStatus, 0, shell.stderr)
    XCTAssertEqual(shell.context.sessions.sessions.map(\.name), ["go"])
    XCTAssertEqual(
      shell.stderr,
      "perfsh: --pprof-endpoint: \(url): truncated response: the server closed the connection without sending anything"
        + " (did the program exit before the profile was done? ask for fewer seconds than it runs)\n")
  }

  func testRunEndingBeforeThePortOpensWarnsAndKeepsTheRun() throws {
    try PerfEvents.skipUnlessAvailable()
    let port = GoPprofServer.freePort()
    let shell = CapturedShell()
    let outcome = shell.runScript("run --pprof-endpoint http://127.0.0.1:\(port) /bin/true")
    XCTAssertEqual(outcome.exitStatus, 0, shell.stderr)
    XCTAssertEqual(shell.context.sessions.sessions.map(\.name), ["true"])
    XCTAssertEqual(
      shell.stderr,
      "perfsh: --pprof-endpoint: nothing accepted a connection at 127.0.0.1:\(port) during the run (http://127.0.0.1:\(port)/debug/pprof/profile?seconds=5)\n"
    )
    XCTAssertEqual(shell.runScript("run -n 2 --pprof-endpoint http://127.0.0.1:\(port) /bin/true").exitStatus, 1)
  }
}

import Analysis
import Formats
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

@testable import Web

/// The JSON endpoints against known sessions (golden files), without sockets.
final class WebEndpointTests: XCTestCase {
  private func get(_ path: String) -> WebResponse {
    WebFixtures.router().0.respond(to: "/\(WebFixtures.token)/\(path)")
  }

  /// The body as pretty JSON for the golden file (the wire form is compact).
  private func golden(_ path: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    let r = get(path)
    XCTAssertEqual(r.status, 200, String(decoding: r.body, as: UTF8.self), file: file, line: line)
    XCTAssertTrue(r.contentType.hasPrefix("application/json"), file: file, line: line)
    assertSnapshot(Self.pretty(r.body), named: name, file: file, line: line)
  }

  /// Re-indents compact JSON: the goldens stay readable while the server sends one line.
  static func pretty(_ body: [UInt8]) -> String {
    var out = ""
    var depth = 0
    var inString = false
    var escaped = false
    for c in String(decoding: body, as: UTF8.self) {
      if inString {
        out.append(c)
        if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        continue
      }
      switch c {
      case "\"":
        inString = true
        out.append(c)
      case "{", "[":
        depth += 1
        out.append(c)
        out += "\n" + String(repeating: "  ", count: depth)
      case "}", "]":
        depth -= 1
        out += "\n" + String(repeating: "  ", count: depth)
        out.append(c)
      case ",": out += ",\n" + String(repeating: "  ", count: depth)
      case ":": out += ": "
      default: out.append(c)
      }
    }
    return out + "\n"
  }

  func testSessionList() { golden("api/sessions", named: "sessions") }
  func testSummary() { golden("api/session/1/summary", named: "summary-1") }
  func testTopFlat() { golden("api/session/1/top", named: "top-1") }
  func testTopCumFiltered() { golden("api/session/1/top?cum=1&focus=line3000&n=3", named: "top-1-cum-focus") }
  func testHeatmapSampled() { golden("api/session/1/heatmap", named: "heatmap-1") }
  func testHeatmapTracedByP95() { golden("api/session/2/heatmap?sort=p95", named: "heatmap-2-p95") }

  /// A folded (count-only) session: rows by Count, no times, a legend that says so.
  func testHeatmapOfCountOnlySession() {
    let r = WebFixtures.router([WebFixtures.session(1, "x.folded", ProfileFixtures.countsOnly())]).0
      .respond(to: "/\(WebFixtures.token)/api/session/1/heatmap")
    XCTAssertEqual(r.status, 200, String(decoding: r.body, as: UTF8.self))
    assertSnapshot(Self.pretty(r.body), named: "heatmap-counts-only")
    let text = String(decoding: r.body, as: UTF8.self)
    XCTAssertTrue(text.contains(#""countType":"samples/count","totalCount":95"#), text)
    XCTAssertTrue(text.contains(#""rows":[{"name":"emit","count":45,"cpu":0,"cpuText":null"#), text)
  }
  func testPeek() { golden("api/session/1/peek?fn=%5Eline2000%24", named: "peek-1-line2000") }
  func testList() { golden("api/session/1/list?fn=line1000", named: "list-1-line1000") }
  func testCompare() { golden("api/compare/3/4", named: "compare-3-4") }

  /// The top endpoint's rows are the rows `top` prints: same names, same flat and cum text.
  func testTopRowsEqualTopRenderer() throws {
    let report = try TopReport(profile: ProfileFixtures.cpu())
    var text = ""
    TopRenderer.write(report, to: &text)
    let printed = text.split(separator: "\n").filter { $0.hasSuffix(" line1000") || $0.hasSuffix(" main") }
    XCTAssertEqual(printed.count, 2)
    let body = String(decoding: get("api/session/1/top").body, as: UTF8.self)
    XCTAssertTrue(
      body.contains(
        #"{"name":"line1000","flat":1000000000,"flatText":"1s","flatPercent":"90.91%","sumPercent":"90.91%","cum":1030000000,"cumText":"1.03s""#
      ), body)
    let first = try XCTUnwrap(printed.first { $0.hasSuffix(" line1000") })
    XCTAssertEqual(
      first.split(separator: " ").map(String.init), ["1s", "90.91%", "90.91%", "1.03s", "93.64%", "line1000"])
  }

  func testTokenIsRequired() {
    let (router, _) = WebFixtures.router()
    for target in [
      "/", "/api/sessions", "/\(WebFixtures.token.dropLast())/api/sessions", "/\(WebFixtures.token)x/",
      "/x/\(WebFixtures.token)/api/sessions", "d/\(WebFixtures.token)/api/sessions",
    ] {
      let r = router.respond(to: target)
      XCTAssertEqual(r.status, 403, target)
      XCTAssertTrue(String(decoding: r.body, as: UTF8.self).contains("token"), target)
    }
    XCTAssertEqual(router.respond(to: "/\(WebFixtures.token)/").status, 200)
    XCTAssertEqual(router.respond(to: "/\(WebFixtures.token)").status, 200)
  }

  func testPathTraversalIsNotFound() {
    for path in [
      "assets/../../etc/passwd", "assets/%2e%2e/%2e%2e/etc/passwd", "assets/..%2fWebRouter.swift", "../etc/passwd",
      "assets/", "assets/app.js/x", "index.html",
    ] {
      XCTAssertEqual(get(path).status, 404, path)
    }
    XCTAssertEqual(get("assets/app.js").status, 200)
    XCTAssertEqual(get("assets/app.css").contentType, "text/css; charset=utf-8")
  }

  func testDroppedSessionIsNotFoundWithJSONError() {
    let (router, box) = WebFixtures.router()
    XCTAssertEqual(router.respond(to: "/\(WebFixtures.token)/api/session/3/top").status, 200)
    box.publish(WebFixtures.sessions.filter { $0.id != 3 })
    let r = router.respond(to: "/\(WebFixtures.token)/api/session/3/top")
    XCTAssertEqual(r.status, 404)
    XCTAssertEqual(
      String(decoding: r.body, as: UTF8.self),
      #"{"error":"no session 3 (it was dropped, or never existed); sessions: 1, 2, 4","status":404}"#)
    XCTAssertEqual(router.respond(to: "/\(WebFixtures.token)/api/compare/1/3").status, 404)
  }

  func testBadParametersAre400() {
    XCTAssertEqual(get("api/session/1/top?focus=(").status, 400)
    XCTAssertEqual(get("api/session/1/peek").status, 400)
    XCTAssertEqual(get("api/session/1/heatmap?sort=bogus").status, 400)
    XCTAssertEqual(get("api/session/1/flame.svg?clock=wall").status, 400)
    XCTAssertEqual(get("api/session/1/nothing").status, 404)
  }

  func testIndexPointsAtTokenAssets() {
    let html = String(decoding: get("").body, as: UTF8.self)
    XCTAssertTrue(html.contains(#"src="/\#(WebFixtures.token)/assets/app.js""#), html)
    XCTAssertFalse(html.contains("http://") || html.contains("https://"), "the page must load nothing from outside")
    XCTAssertFalse(WebAssets.appJS.contains("http://") || WebAssets.appJS.contains("https://"))
  }

  func testFlameSVGIsTheExportRenderer() throws {
    let r = get("api/session/1/flame.svg")
    XCTAssertEqual(r.contentType, "image/svg+xml")
    let svg = String(decoding: r.body, as: UTF8.self)
    let graph = try FlameGraph(profile: ProfileFixtures.cpu())
    XCTAssertEqual(svg, SVGFlameGraph.render(graph, options: SVGFlameOptions(title: "Flame graph: [1] cpu (cpu)")))
    let diff = String(decoding: get("api/compare/3/4/flame.svg").body, as: UTF8.self)
    XCTAssertTrue(diff.contains("Differential flame graph: [3] before → [4] after"), diff)
  }

  /// Downloads decode back to the session's profile.
  func testDownloadsRoundTrip() throws {
    let pprof = get("api/session/1/download/pprof")
    XCTAssertEqual(pprof.attachment, "cpu.pb.gz")
    let decoded = try PprofDecoder.decode(pprof.body)
    XCTAssertEqual(decoded.total(column: 1), ProfileFixtures.cpu().total(column: 1))
    XCTAssertEqual(decoded.samples.count, ProfileFixtures.cpu().samples.count)

    let archive = get("api/session/1/download/session")
    let sessions = try SessionArchive.decode(archive.body)
    XCTAssertEqual(sessions.map(\.name), ["cpu"])
    XCTAssertEqual(sessions.first?.profile.total(column: 1), 1_100_000_000)

    let folded = String(decoding: get("api/session/1/download/folded").body, as: UTF8.self)
    XCTAssertEqual(folded, FoldedStacksWriter.write(ProfileFixtures.cpu()))
    XCTAssertTrue(String(decoding: get("api/session/1/download/svg").body, as: UTF8.self).hasPrefix("<?xml"))
    let speedscope = get("api/session/1/download/speedscope")
    XCTAssertEqual(speedscope.attachment, "cpu.speedscope.json")
    XCTAssertEqual(
      String(decoding: speedscope.body, as: UTF8.self), SpeedscopeWriter.write(ProfileFixtures.cpu(), name: "cpu").text)
    XCTAssertEqual(get("api/session/1/download/exe").status, 404)
  }

  func testLiveSessionsShowUntilFinished() {
    let (router, box) = WebFixtures.router([])
    var live = WebFixtures.session(7, "run", ProfileFixtures.cpu())
    live.isLive = true
    box.publishLive(id: 7, live)
    let listed = String(decoding: router.respond(to: "/\(WebFixtures.token)/api/sessions").body, as: UTF8.self)
    XCTAssertTrue(listed.contains(#""id":7,"name":"run","source":"fixture","live":true"#), listed)
    box.publish([WebFixtures.session(7, "run", ProfileFixtures.cpu())])
    let after = String(decoding: router.respond(to: "/\(WebFixtures.token)/api/sessions").body, as: UTF8.self)
    XCTAssertTrue(after.contains(#""live":false"#), after)
    XCTAssertFalse(after.contains(#""live":true"#), after)
  }

  /// Answers are reused only while the snapshot is unchanged: a filter set in the shell shows at once.
  /// The differential flame graph of two `run -n` sessions carries the per-run test, as the
  /// shell's `flame A B` does (it was drawn "unqualified" from the merged profiles alone).
  func testDiffFlameOfRepeatedSessionsIsQualified() {
    func repeated(_ parse: [Int64]) -> Profile {
      var p = ProfileFixtures.selfTimes(["parse": parse.reduce(0, +), "scan": 10 * Int64(parse.count)])
      p.repeats = parse.map {
        RunRepeat(
          elapsedNanos: 200_000_000, cpuNanos: 200_000_000, selfNanos: ["parse": $0 * 1_000_000, "scan": 10_000_000])
      }
      return p
    }
    let sessions = [
      WebFixtures.session(1, "a", repeated([100, 101, 99, 100, 102])),
      WebFixtures.session(2, "b", repeated([150, 149, 151, 152, 150])),
    ]
    let r = WebFixtures.router(sessions).0.respond(to: "/\(WebFixtures.token)/api/compare/1/2/flame.svg")
    let svg = String(decoding: r.body, as: UTF8.self)
    XCTAssertEqual(r.status, 200, svg)
    XCTAssertFalse(svg.contains("(unqualified)"), svg)
    XCTAssertTrue(svg.contains("(significant)"), svg)
  }

  /// A repeated request gets the cached body itself (one storage, which the server sends as
  /// one shared buffer), not a copy; errors are never cached.
  func testCachedAnswersShareOneBody() {
    let router = WebFixtures.router().0
    let first = router.respond(to: "/\(WebFixtures.token)/api/session/1/top")
    let again = router.respond(to: "/\(WebFixtures.token)/api/session/1/top")
    XCTAssertTrue(first.isCached)
    XCTAssertTrue(again.isCached)
    let address = { (r: WebResponse) in r.body.withUnsafeBufferPointer { $0.baseAddress.map(UInt.init(bitPattern:)) } }
    XCTAssertNotNil(address(first))
    XCTAssertEqual(address(first), address(again))
    XCTAssertFalse(router.respond(to: "/\(WebFixtures.token)/api/session/9/top").isCached)
    XCTAssertFalse(router.respond(to: "/\(WebFixtures.token)/assets/app.js").isCached)
  }

  func testCachedAnswersFollowTheSnapshot() {
    let (router, box) = WebFixtures.router()
    let path = "/\(WebFixtures.token)/api/session/1/top"
    let first = router.respond(to: path).body
    XCTAssertEqual(router.respond(to: path).body, first)
    var sessions = WebFixtures.sessions
    sessions[0].focus = ["memcpy"]
    box.publish(sessions)
    let focused = String(decoding: router.respond(to: path).body, as: UTF8.self)
    XCTAssertTrue(focused.contains(#""focus":"memcpy""#), focused)
    XCTAssertNotEqual(Array(focused.utf8), first)
  }

  func testQueryDecoding() {
    let q = WebQuery(parsing: "fn=%5Emain%24&focus=a+b&x&bad=%zz")
    XCTAssertEqual(q["fn"], "^main$")
    XCTAssertEqual(q["focus"], "a b")
    XCTAssertEqual(q["x"], "")
    XCTAssertEqual(q["bad"], "%zz")
  }

  func testJSONEscaping() {
    XCTAssertEqual(JSONValue.string("a\"b\\c\n</script>\u{1}").text, #""a\"b\\c\n\u003c/script>\u0001""#)
    XCTAssertEqual(JSONValue.double(0.1234567).text, "0.123457")
    XCTAssertEqual(JSONValue.double(.nan).text, "null")
    XCTAssertEqual(JSONValue.double(-2).text, "-2")
  }
}

import XCTest

@testable import Fetch

/// URL parsing and redirect resolution.
final class HTTPURLTests: XCTestCase {
  func testParts() throws {
    let u = try HTTPURL("http://127.0.0.1:6060/debug/pprof/profile?seconds=5#frag")
    XCTAssertEqual(u.host, "127.0.0.1")
    XCTAssertEqual(u.port, 6060)
    XCTAssertEqual(u.target, "/debug/pprof/profile?seconds=5")
    XCTAssertEqual(u.path, "/debug/pprof/profile")
    XCTAssertEqual(u.queryValue("seconds"), "5")
    XCTAssertNil(u.queryValue("debug"))
    XCTAssertEqual(try HTTPURL("HTTP://Example.com").description, "http://Example.com:80/")
    XCTAssertEqual(try HTTPURL("http://[::1]:8080?x=1").description, "http://[::1]:8080/?x=1")
  }

  func testRefusals() {
    func error(_ text: String) -> FetchError? {
      do {
        _ = try HTTPURL(text)
        return nil
      } catch {
        return error
      }
    }
    XCTAssertEqual(error("https://host/x"), .httpsNotSupported)
    XCTAssertEqual(error("http://:80/x"), .badURL(reason: "no host"))
    XCTAssertEqual(error("http://h:0/"), .badURL(reason: "the port '0' is not a number from 1 to 65535"))
    XCTAssertEqual(error("http://h:99999/"), .badURL(reason: "the port '99999' is not a number from 1 to 65535"))
    XCTAssertEqual(error("http://u:p@h/"), .badURL(reason: "user names and passwords are not supported"))
    XCTAssertEqual(
      error("http://h/a b"), .badURL(reason: "the path has a space, control or non-ASCII character (percent-encode it)")
    )
    XCTAssertTrue(HTTPURL.looksLikeURL("HTTPS://x"))
    XCTAssertFalse(HTTPURL.looksLikeURL("cpu.pb.gz"))
  }

  func testRedirectResolution() throws {
    let u = try HTTPURL("http://h:1/debug/pprof/heap?x=1")
    XCTAssertEqual(try u.resolving(location: "/other").description, "http://h:1/other")
    XCTAssertEqual(try u.resolving(location: "allocs").description, "http://h:1/debug/pprof/allocs")
    XCTAssertEqual(try u.resolving(location: "http://H:1/y").description, "http://H:1/y")
    XCTAssertThrowsError(try u.resolving(location: "http://evil:1/y")) {
      XCTAssertEqual($0 as? FetchError, .redirectElsewhere(location: "http://evil:1/y"))
    }
    XCTAssertThrowsError(try u.resolving(location: "http://h:2/y"))
    XCTAssertThrowsError(try u.resolving(location: "https://h:1/y"))
  }
}

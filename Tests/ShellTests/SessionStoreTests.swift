import ProfileModel
import XCTest

@testable import Shell

final class SessionStoreTests: XCTestCase {
  private func profile() -> Profile { Profile(sampleTypes: [ValueType(type: "samples", unit: "count")]) }

  func testIdsAreNeverReusedAndNamesStayUnique() throws {
    var store = SessionStore()
    let a = store.add(profile: profile(), name: "cpu.pb.gz", source: .file(path: "cpu.pb.gz", format: "pprof"))
    let b = store.add(profile: profile(), name: "cpu.pb.gz", source: .file(path: "cpu.pb.gz", format: "pprof"))
    XCTAssertEqual(a.id, 1)
    XCTAssertEqual(b.id, 2)
    XCTAssertEqual(b.name, "cpu.pb.gz-2")
    try store.drop("2")
    let c = store.add(profile: profile(), name: "x", source: .run(command: ["./x"]))
    XCTAssertEqual(c.id, 3, "a dropped id is not reused")
  }

  func testReferencesResolve() throws {
    var store = SessionStore()
    XCTAssertThrowsError(try store.resolve("@last")) { XCTAssertEqual($0 as? SessionError, .noSessions) }
    store.add(profile: profile(), name: "first", source: .run(command: ["a"]))
    XCTAssertThrowsError(try store.resolve("@prev")) { XCTAssertEqual($0 as? SessionError, .noPrevious) }
    store.add(profile: profile(), name: "second", source: .run(command: ["b"]))
    XCTAssertEqual(try store.resolve("@last").name, "second")
    XCTAssertEqual(try store.resolve("@prev").name, "first")
    XCTAssertEqual(try store.resolve("first").id, 1)
    XCTAssertEqual(try store.resolve("2").name, "second")
    XCTAssertEqual(try store.resolve("@2").name, "second")
    XCTAssertEqual(try store.resolve("@first").id, 1)
    XCTAssertEqual(try store.session(nil).name, "second", "the newest session is current")
    _ = try store.use("1")
    XCTAssertEqual(try store.session(nil).name, "first")
    XCTAssertThrowsError(try store.resolve("nope")) { error in
      XCTAssertEqual("\(error)", "no session 'nope' (sessions: 1 first, 2 second)")
    }
  }

  func testDropAndRename() throws {
    var store = SessionStore()
    store.add(profile: profile(), name: "a", source: .run(command: ["a"]))
    store.add(profile: profile(), name: "b", source: .run(command: ["b"]))
    XCTAssertThrowsError(try store.rename("1", to: "b")) { XCTAssertEqual($0 as? SessionError, .nameInUse("b")) }
    XCTAssertThrowsError(try store.rename("1", to: "7")) { XCTAssertEqual($0 as? SessionError, .badName("7")) }
    XCTAssertEqual(try store.rename("1", to: "baseline").name, "baseline")
    try store.drop("@last")
    XCTAssertEqual(store.current?.name, "baseline", "dropping the current session falls back to the newest")
  }

  func testCommandLinesAreQuotedForReuse() {
    XCTAssertEqual(Session.Source.run(command: ["./x", "a b", "it's"]).description, "./x 'a b' 'it'\\''s'")
  }
}

import ProfileModel
import XCTest

final class StringTableTests: XCTestCase {
  func testInternLookupAndSubscript() {
    var t = StringTable()
    XCTAssertEqual(t.count, 1)
    XCTAssertEqual(t[StringID.empty], "")
    XCTAssertEqual(t.lookup(""), .empty)
    let a = t.intern("main")
    let b = t.intern("a function name longer than fifteen bytes")
    let c = t.intern("naïve ✓")
    XCTAssertEqual([a, b, c].map(\.raw), [1, 2, 3])
    XCTAssertEqual(t.intern("main"), a)
    XCTAssertEqual(t.intern(""), .empty)
    XCTAssertEqual(t[b], "a function name longer than fifteen bytes")
    XCTAssertEqual(t[c], "naïve ✓")
    XCTAssertEqual(t.lookup("naïve ✓"), c)
    XCTAssertNil(t.lookup("mai"))
    XCTAssertNil(t.lookup("mainx"))
    XCTAssertEqual(t.strings, ["", "main", "a function name longer than fifteen bytes", "naïve ✓"])
  }

  func testManyStringsSurviveGrowth() {
    var t = StringTable()
    let names = (0..<5000).map { "function-\($0)-\(String(repeating: "x", count: $0 % 40))" }
    let ids = names.map { t.intern($0) }
    XCTAssertEqual(ids.map(\.index), Array(1...5000))
    XCTAssertEqual(t.count, 5001)
    for (name, id) in zip(names, ids) {
      XCTAssertEqual(t.lookup(name), id)
      XCTAssertEqual(t[id], name)
    }
  }

  func testBuiltFromStringsOrBytesDuplicatesKeepTheirFirstID() {
    let list = ["", "x", "yy", "x", "", "zzz"]
    let fromStrings = StringTable(list)
    var bytes: [UInt8] = []
    var ends: [Int] = []
    for s in list {
      bytes += Array(s.utf8)
      ends.append(bytes.count)
    }
    let fromBytes = StringTable(utf8: bytes, ends: ends)
    for t in [fromStrings, fromBytes] {
      XCTAssertEqual(t.count, 6)
      XCTAssertEqual(t.strings, list)
      XCTAssertEqual(t.lookup("x"), StringID(1))
      XCTAssertEqual(t.lookup(""), StringID(0))
      XCTAssertEqual(t.lookup("zzz"), StringID(5))
      var copy = t
      XCTAssertEqual(copy.intern("yy"), StringID(2))
      XCTAssertEqual(copy.intern("new"), StringID(6))
      var seen: [String] = []
      t.forEachUTF8 { seen.append(String(decoding: $0, as: UTF8.self)) }
      XCTAssertEqual(seen, list)
    }
    XCTAssertEqual(StringTable([]).strings, [""])
    XCTAssertEqual(StringTable(utf8: [], ends: []).strings, [""])
  }
}

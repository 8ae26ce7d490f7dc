import ProfileModel
import XCTest

/// The label-set table stores string-only sets at one word a label and others at three; every
/// set must read back exactly as interned, and interning must find each set again.
final class LabelSetTableTests: XCTestCase {
  private func s(_ i: Int) -> StringID { StringID(i) }

  func testEmptySetIsNoneAndReadsBackEmpty() {
    var t = LabelSetTable()
    XCTAssertEqual(t.count, 1)
    XCTAssertEqual(t.intern([Label]()), .none)
    XCTAssertTrue(t[.none].isEmpty)
    XCTAssertEqual(t.count, 1)
  }

  func testStringAndNumericSetsReadBackExactlyAndInternToTheSameIDs() {
    var t = LabelSetTable()
    var rng = SystemRandomNumberGenerator()
    var sets: [[Label]] = []
    for i in 0..<3000 {
      let n = 1 + i % 5
      let numeric = i % 7 == 0
      sets.append(
        (0..<n).map { j in
          numeric && j == n - 1
            ? Label(key: s(j + 1), number: Int64.random(in: Int64.min...Int64.max, using: &rng), numberUnit: s(9))
            : Label(key: s(j + 1), string: s(Int.random(in: 0...Int(Int32.max), using: &rng)))
        })
    }
    // A label whose number is 0 but has a unit must keep the unit (three words, not one).
    sets.append([Label(key: s(3), numberUnit: s(4))])
    // Negative string ids survive the packing (no input makes them, but nothing may be lost).
    sets.append([Label(key: StringID(Int32(-2)), string: StringID(Int32.min))])
    let ids = sets.map { t.intern($0) }
    XCTAssertEqual(Set(ids).count, Set(sets).count)
    for (set, id) in zip(sets, ids) {
      XCTAssertEqual(Array(t[id]), set)
      XCTAssertEqual(t.intern(set), id, "interning a set again finds it")
      XCTAssertEqual(t.intern(set[...]), id, "through the generic path too")
    }
    XCTAssertEqual(t.count, Set(sets).count + 1)
    XCTAssertEqual(t.sets.count, t.count)
    XCTAssertEqual(Array(t.sets[ids[5].index]), sets[5])
  }

  func testOrderAndPrefixesMakeDistinctSets() {
    var t = LabelSetTable()
    let a = Label(key: s(1), string: s(2))
    let b = Label(key: s(3), string: s(4))
    let ab = t.intern([a, b])
    let ba = t.intern([b, a])
    let justA = t.intern([a])
    // A string set and a numeric one must not be confused by their words.
    let numericA = t.intern([Label(key: s(1), string: s(2), number: 1)])
    XCTAssertEqual(Set([ab, ba, justA, numericA]).count, 4)
    XCTAssertEqual(Array(t[numericA]), [Label(key: s(1), string: s(2), number: 1)])
  }

  func testSetsCompareByContents() {
    var a = LabelSetTable()
    var b = LabelSetTable()
    let set = [Label(key: s(1), string: s(2)), Label(key: s(5), number: -7, numberUnit: s(6))]
    a.intern(set)
    b.intern(set)
    XCTAssertEqual(a.sets, b.sets)
    b.intern([Label(key: s(1), string: s(3))])
    XCTAssertNotEqual(a.sets, b.sets)
  }
}

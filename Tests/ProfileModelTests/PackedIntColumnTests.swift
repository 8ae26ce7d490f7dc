import ProfileModel
import XCTest

/// Every storage width of `PackedIntColumn`, each widening, and reads that equal what was
/// stored, checked against a plain `[Int64]` holding the same values.
final class PackedIntColumnTests: XCTestCase {
  /// Appends `values` one by one, checking the storage after each and the contents at the end.
  private func appendAll(_ values: [Int64], storages: [PackedIntColumn.Storage]?) -> PackedIntColumn {
    var c = PackedIntColumn()
    var seen: [PackedIntColumn.Storage] = []
    for v in values {
      c.append(v)
      if seen.last != c.storage { seen.append(c.storage) }
    }
    if let storages { XCTAssertEqual(seen, storages, "storages on the way for \(values.prefix(8))…") }
    XCTAssertEqual(Array(c), values)
    XCTAssertEqual(c.count, values.count)
    var each: [Int64] = []
    c.forEach { each.append($0) }
    XCTAssertEqual(each, values, "forEach reads what subscript reads")
    XCTAssertEqual(Array(PackedIntColumn(values)), values, "the bulk init stores the same values")
    return c
  }

  func testConstantColumnStoresNoBytes() {
    let c = appendAll(Array(repeating: 10_000_000, count: 1000), storages: [.constant])
    XCTAssertEqual(c.storedBytes, 0)
    XCTAssertEqual(PackedIntColumn(Array(repeating: Int64.max, count: 5)).storage, .constant)
    XCTAssertEqual(PackedIntColumn(Array(repeating: -3, count: 5)).storage, .constant)
  }

  func testValuesThatGrowPastEachWidthWidenInTurn() {
    // 2 distinct small values → u8; past 255 → u16; past 65,535 → u24; past 2^24-1 → u32;
    // past 2^32-1 → 8 bytes.
    var values: [Int64] = [1, 1, 2]
    values += (0..<300).map { Int64($0) }
    values += [65_535, 65_536, 0xFF_FFFF, 0x100_0000]
    values += [Int64(UInt32.max), Int64(UInt32.max) + 1, Int64.max]
    let c = appendAll(values, storages: [.constant, .uint8, .uint16, .uint24, .uint32, .int64])
    XCTAssertEqual(c.storedBytes, values.count * 8)
    XCTAssertEqual(c[values.count - 1], Int64.max)
    XCTAssertEqual(c[3], 0)
    XCTAssertEqual(c[2], 2)
  }

  func testEachWidthHoldsItsBoundsExactly() {
    let cases: [(values: [Int64], storage: PackedIntColumn.Storage, bytes: Int)] = [
      ([0, 255], .uint8, 1), ([0, 256], .uint16, 2), ([0, 65_535], .uint16, 2), ([0, 65_536], .uint24, 3),
      ([0, 0xFF_FFFF], .uint24, 3), ([0, 0x100_0000], .uint32, 4),
      ([0, Int64(UInt32.max)], .uint32, 4), ([0, Int64(UInt32.max) + 1], .int64, 8), ([0, -1], .int64, 8),
      ([Int64.min, Int64.max], .int64, 8),
    ]
    for (values, storage, bytes) in cases {
      let bulk = PackedIntColumn(values)
      XCTAssertEqual(bulk.storage, storage, "\(values)")
      XCTAssertEqual(bulk.storedBytes, values.count * bytes, "\(values)")
      XCTAssertEqual(Array(bulk), values)
      var appended = PackedIntColumn()
      for v in values { appended.append(v) }
      XCTAssertEqual(appended.storage, storage, "\(values) appended")
      XCTAssertEqual(Array(appended), values)
    }
  }

  func testNegativeValueWidensAnyColumnToEightBytes() {
    _ = appendAll([5, 5, 7, -1, 3], storages: [.constant, .uint8, .int64])
    _ = appendAll([-9, -9, -9], storages: [.constant])
    _ = appendAll([-9, -9, 4, Int64.min], storages: [.constant, .int64])
  }

  func testConstantColumnThatStopsBeingConstantKeepsItsValues() {
    // A constant past u16 then a small value: both must land in a width that holds the constant.
    _ = appendAll([70_000, 70_000, 70_000, 1], storages: [.constant, .uint24])
    _ = appendAll([0x100_0000, 0x100_0000, 1], storages: [.constant, .uint32])
    _ = appendAll([Int64.max, Int64.max, 0], storages: [.constant, .int64])
    _ = appendAll([0, 0, 0, 0, 300], storages: [.constant, .uint16])
  }

  func testSetWidensAndKeepsOtherValues() {
    var c = PackedIntColumn([3, 3, 3, 3])
    XCTAssertEqual(c.storage, .constant)
    c.set(1, 3)
    XCTAssertEqual(c.storage, .constant, "setting the constant is no change")
    c.set(2, 200)
    XCTAssertEqual(c.storage, .uint8)
    c.set(0, 1_000_000)
    XCTAssertEqual(c.storage, .uint24)
    c.set(1, 20_000_000)
    XCTAssertEqual(c.storage, .uint32)
    c.set(1, 3)
    c.set(3, -5)
    XCTAssertEqual(c.storage, .int64)
    XCTAssertEqual(Array(c), [1_000_000, 3, 200, -5])
    c.set(3, 0)
    XCTAssertEqual(Array(c), [1_000_000, 3, 200, 0], "a column does not narrow, but reads stay exact")
  }

  func testRandomOperationsMatchAPlainArray() {
    var rng = SystemRandomNumberGenerator()
    for round in 0..<50 {
      var c = PackedIntColumn()
      var reference: [Int64] = []
      let limits: [Int64] = [1, 200, 60_000, 0xFF_FFFF, 20_000_000, 4_000_000_000, Int64.max]
      for _ in 0..<500 {
        let limit = limits[Int.random(in: 0..<limits.count, using: &rng)]
        let v = Int64.random(in: (round % 5 == 0 ? -limit : 0)...limit, using: &rng)
        if !reference.isEmpty && Bool.random(using: &rng) && Int.random(in: 0..<4, using: &rng) == 0 {
          let i = Int.random(in: 0..<reference.count, using: &rng)
          c.set(i, v)
          reference[i] = v
        } else {
          c.append(v)
          reference.append(v)
        }
      }
      XCTAssertEqual(Array(c), reference)
      XCTAssertEqual(PackedIntColumn(reference), c, "bulk and appended columns are equal")
    }
  }

  /// Runs appended at once (the loaders' chains) read back like values appended one by one,
  /// from every storage (constant, each width) and widening to every other on the way.
  func testAppendingRunsMatchesAppendingOneByOne() {
    var rng = SystemRandomNumberGenerator()
    let limits: [Int64] = [0, 1, 200, 60_000, 0xFF_FFFF, 20_000_000, 4_000_000_000, Int64.max]
    for round in 0..<200 {
      var c = PackedIntColumn()
      var reference: [Int64] = []
      if round % 3 == 0 { c.reserveCapacity(100) }
      for _ in 0..<12 {
        let limit = limits[Int.random(in: 0..<limits.count, using: &rng)]
        let run = (0..<Int.random(in: 0...9, using: &rng)).map { _ in
          Int64.random(in: (round % 7 == 0 ? -limit : 0)...limit, using: &rng)
        }
        if Bool.random(using: &rng) {
          c.append(count: run.count, smallest: run.min() ?? 0, largest: run.max() ?? 0) { run[$0] }
        } else {
          for v in run { c.append(v) }
        }
        reference += run
        XCTAssertEqual(Array(c), reference)
      }
      XCTAssertEqual(PackedIntColumn(reference), c)
    }
  }

  /// Three-byte storage at its bounds: the last value of a buffer (read byte by byte, never
  /// past the end), each position of a column built in bulk, appended and set, and widening
  /// from it and into it keep every value.
  func testThreeByteValuesAtTheBoundsReadBackAtEveryPosition() {
    let edges: [Int64] = [0, 1, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x1_0001, 0xAB_CDEF, 0xFF_FFFE, 0xFF_FFFF]
    for n in 1...7 {
      for last in edges {
        let values = [0] + (0..<n).map { i in i == n - 1 ? last : edges[(i * 3 + 1) % edges.count] } + [0x1_0000]
        let c = appendAll(values, storages: nil)
        XCTAssertEqual(c.storage, .uint24, "\(values)")
        XCTAssertEqual(c.storedBytes, values.count * 3)
        XCTAssertEqual(c[values.count - 1], 0x1_0000, "the last value")
        XCTAssertEqual(c[values.count - 2], last)
        var set = PackedIntColumn(values)
        XCTAssertEqual(set.storage, .uint24)
        for i in values.indices.reversed() { set.set(i, 0xFF_FFFF - values[i]) }
        XCTAssertEqual(Array(set), values.map { 0xFF_FFFF - $0 })
        XCTAssertEqual(set.storage, .uint24, "values within three bytes keep the width")
      }
    }
  }

  func testWideningThroughThreeBytesKeepsEveryValue() {
    var c = PackedIntColumn()
    var reference: [Int64] = []
    for v: Int64 in [7, 7, 200, 0xFFFF, 0x1_0000, 0xFF_FFFF, 5, 0x100_0000, 0xFF_FFFF, -1] {
      c.append(v)
      reference.append(v)
      XCTAssertEqual(Array(c), reference)
    }
    XCTAssertEqual(c.storage, .int64)
    var fromConstant = PackedIntColumn(Array(repeating: 0x12_3456, count: 9))
    XCTAssertEqual(fromConstant.storage, .constant)
    fromConstant.set(8, 1)
    XCTAssertEqual(fromConstant.storage, .uint24, "a constant past u16 widens to three bytes")
    XCTAssertEqual(Array(fromConstant), Array(repeating: 0x12_3456, count: 8) + [1])
    fromConstant.set(0, 0x100_0000)
    XCTAssertEqual(fromConstant.storage, .uint32)
    XCTAssertEqual(Array(fromConstant), [0x100_0000] + Array(repeating: 0x12_3456, count: 7) + [1])
  }

  func testCompactNarrowsAndKeepsEveryValue() {
    var c = PackedIntColumn()
    c.reserveCapacity(10_000)
    for i in 0..<1000 { c.append(Int64(i) * 16_000) }
    XCTAssertEqual(c.storage, .uint24)
    let before = Array(c)
    c.compact()
    XCTAssertEqual(Array(c), before)
    XCTAssertLessThan(c.capacityBytes, 3100, "no spare room after compact (malloc rounds up a little)")
    c.set(999, 1)
    c.compact()
    XCTAssertEqual(c.storage, .uint24, "the largest value still needs three bytes")
    XCTAssertEqual(c[999], 1)
    var empty = PackedIntColumn()
    empty.compact()
    XCTAssertEqual(empty.count, 0)
  }
}

import PerfshTestSupport
import ProfileModel
import XCTest

/// `SampleTable` over packed columns reads back exactly what was appended, however its columns
/// widen, and answers every query as a plain row-by-row reference does.
final class SampleTableTests: XCTestCase {
  /// The previous representation: one record per sample, 8 bytes per value.
  private struct Reference {
    var stacks: [StackID] = []
    var labels: [LabelSetID] = []
    var values: [[Int64]] = []
  }

  private func assertSame(_ t: SampleTable, _ r: Reference, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(t.count, r.stacks.count, file: file, line: line)
    XCTAssertEqual(Array(t.stacks), r.stacks, file: file, line: line)
    XCTAssertEqual(Array(t.labelSets), r.labels, file: file, line: line)
    XCTAssertEqual(Array(t.values), r.values.flatMap { $0 }, "flat values, sample after sample", file: file, line: line)
    for i in 0..<t.count {
      XCTAssertEqual(Array(t.values(of: i)), r.values[i], file: file, line: line)
      for c in 0..<t.width { XCTAssertEqual(t.value(i, c), r.values[i][c], file: file, line: line) }
    }
    for c in 0..<t.width {
      var seen: [(StackID, Int64)] = []
      t.forEach(column: c) { seen.append(($0, $1)) }
      XCTAssertEqual(seen.map(\.0), r.stacks, file: file, line: line)
      XCTAssertEqual(seen.map(\.1), r.values.map { $0[c] }, file: file, line: line)
    }
  }

  func testAppendedSamplesWidenEveryColumnAndReadBack() {
    var t = SampleTable(width: 3)
    var r = Reference()
    // Stack ids grow past u8 and u16, labels stay none then change, column 0 is a constant
    // count, column 1 grows past u32, column 2 goes negative at the end.
    for i in 0..<70_000 {
      let stack = StackID(i % 3 == 0 ? i : i / 7)
      let labels = i < 60_000 ? LabelSetID.none : LabelSetID(i % 5)
      let values: [Int64] = [1, Int64(i) * 70_000, i == 69_999 ? -4 : Int64(i % 300)]
      t.append(stack: stack, values: values, labels: labels)
      r.stacks.append(stack)
      r.labels.append(labels)
      r.values.append(values)
    }
    assertSame(t, r)
    XCTAssertEqual(t.stacks.packed.storage, .uint24)
    XCTAssertEqual(t.labelSets.packed.storage, .uint8)
    XCTAssertEqual(t.storedColumns.map(\.storage), [.constant, .int64, .int64])
    XCTAssertEqual(PackedIntColumn(Array(t.storedColumns[1]).map { $0 / 70_000 }).storage, .uint24)
  }

  func testBulkTableEqualsAppendedTable() {
    var appended = SampleTable(width: 2)
    var stacks: [StackID] = []
    var labels: [LabelSetID] = []
    var flat: [Int64] = []
    for i in 0..<5000 {
      let values: [Int64] = [Int64(i % 3), 10_000_000]
      appended.append(stack: StackID(i % 400), values: values, labels: .none)
      stacks.append(StackID(i % 400))
      labels.append(.none)
      flat += values
    }
    let bulk = SampleTable(width: 2, stacks: stacks, labelSets: labels, values: flat)
    XCTAssertEqual(bulk.stacks, appended.stacks)
    XCTAssertEqual(bulk.labelSets, appended.labelSets)
    XCTAssertEqual(bulk.storedColumns, appended.storedColumns)
    XCTAssertEqual(bulk.stacks.packed.storage, .uint16)
    XCTAssertEqual(bulk.labelSets.packed.storage, .constant, "no labels cost nothing")
    XCTAssertEqual(bulk.storedColumns[1].storage, .constant, "a constant period costs nothing")
    XCTAssertEqual(bulk.storedColumns[1].storedBytes + bulk.labelSets.packed.storedBytes, 0)
  }

  func testAddWidensOneCell() {
    var t = SampleTable(width: 2)
    for _ in 0..<10 { t.append(stack: StackID(1), values: [1, 5], labels: .none) }
    t.add(Int64(UInt32.max), toSample: 4, column: 1)
    t.add(-1, toSample: 9, column: 0)
    XCTAssertEqual(t.value(4, 1), Int64(UInt32.max) + 5)
    XCTAssertEqual(t.value(9, 0), 0)
    XCTAssertEqual(t.storedColumns[0].storage, .uint8)
    XCTAssertEqual(t.storedColumns[1].storage, .int64)
    XCTAssertEqual((0..<10).map { t.value($0, 1) }.filter { $0 == 5 }.count, 9)
    t.add(Int64.max, toSample: 0, column: 0)
    XCTAssertEqual(t.value(0, 0), Int64.min, "add wraps as &+ did")
  }

  /// The fixture profiles' tables, rebuilt sample by sample (the widening path) and in bulk,
  /// answer like a reference of plain rows read from them, and totals match the row sums.
  func testFixtureProfilesAnswerLikePlainRows() {
    var profiles = [FixtureProfiles.rich()]
    for seed in 1...4 { profiles.append(FixtureProfiles.random(seed: UInt64(seed), samples: 3000 * seed)) }
    for p in profiles {
      var r = Reference()
      for i in 0..<p.samples.count {
        r.stacks.append(p.samples.stacks[i])
        r.labels.append(p.samples.labelSets[i])
        r.values.append(Array(p.samples.values(of: i)))
      }
      assertSame(p.samples, r)
      var rebuilt = SampleTable(width: p.samples.width)
      for i in 0..<r.stacks.count { rebuilt.append(stack: r.stacks[i], values: r.values[i], labels: r.labels[i]) }
      assertSame(rebuilt, r)
      assertSame(
        SampleTable(width: p.samples.width, stacks: r.stacks, labelSets: r.labels, values: r.values.flatMap { $0 }), r)
      for c in 0..<p.samples.width {
        XCTAssertEqual(p.total(column: c), r.values.reduce(Int64(0)) { $0 &+ $1[c] })
      }
    }
  }

  /// pprof's cpu/nanoseconds column (samples/count × period) stores nothing after `compact`,
  /// reads back exactly, and is stored again before any change to it or to its source.
  func testScaledColumnIsFoundReadExactlyAndStoredAgainOnChange() {
    var t = SampleTable(width: 3)
    var r = Reference()
    for i in 0..<5000 {
      let count = Int64(1 + i % 3)
      let values = [count, count * 10_000_000, Int64(i % 7 == 0 ? 5 : 6)]
      t.append(stack: StackID(i % 80_000 + i), values: values, labels: .none)
      r.stacks.append(StackID(i % 80_000 + i))
      r.labels.append(.none)
      r.values.append(values)
    }
    t.compact()
    XCTAssertEqual(t.scales, [nil, SampleTable.ColumnScale(source: 0, factor: 10_000_000), nil])
    XCTAssertEqual(t.storedColumns[1].storedBytes, 0, "the scaled column stores nothing")
    XCTAssertEqual(t.column(1), PackedIntColumn(r.values.map { $0[1] }))
    assertSame(t, r)

    // A change to the scaled column stores it again.
    var added = t
    added.add(3, toSample: 10, column: 1)
    var ra = r
    ra.values[10][1] += 3
    XCTAssertEqual(added.scales, [nil, nil, nil])
    assertSame(added, ra)
    // A change to its source stores the scaled column first, so it keeps its values.
    var source = t
    source.add(1, toSample: 20, column: 0)
    var rs = r
    rs.values[20][0] += 1
    XCTAssertEqual(source.scales, [nil, nil, nil])
    assertSame(source, rs)
    // An appended sample, whether it keeps the relation or not.
    for values: [Int64] in [[2, 20_000_000, 1], [2, 7, 1]] {
      var appended = t
      var rp = r
      appended.append(stack: StackID(3), values: values, labels: .none)
      rp.stacks.append(StackID(3))
      rp.labels.append(.none)
      rp.values.append(values)
      assertSame(appended, rp)
      XCTAssertEqual(appended.scales, [nil, nil, nil])
    }
    assertSame(t, r)  // copies changed, the original did not
  }

  /// Checks that read whole columns see a scaled column's values (not its empty storage).
  func testValueLimitAndTotalsReadAScaledColumn() {
    var t = SampleTable(width: 2)
    for i in 0..<4 { t.append(stack: StackID(1), values: [Int64(1 + i % 2), Int64(1 + i % 2) << 61], labels: .none) }
    t.compact()
    XCTAssertEqual(t.scales[1], SampleTable.ColumnScale(source: 0, factor: 1 << 61))
    XCTAssertEqual(ValueLimit.firstColumnPastLimit(t), 1, "6 × 2^61 is past the 2^62 rule")
    var p = Profile(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    for i in 0..<10 { p.samples.append(stack: StackID(1), values: [Int64(i % 3), Int64(i % 3) * 7], labels: .none) }
    p.compact()
    XCTAssertNotNil(p.samples.scales[1])
    XCTAssertEqual(p.total(column: 1), 63)
  }

  func testColumnsThatAreNoMultipleKeepTheirValues() {
    // One sample off by one; a product that overflows (wrapped values are no multiple); zeros in the source with non-zero target;
    // a negative factor; equal columns (factor 1, the narrower kept).
    func rows(_ row: (Int) -> [Int64]) -> [[Int64]] { (0..<100).map(row) }
    var cases: [[[Int64]]] = []
    cases.append(rows { i in [Int64(i % 5 + 1), Int64(i % 5 + 1) * 1000 + (i == 99 ? 1 : 0)] })
    cases.append(rows { i in i % 2 == 0 ? [1, 1 << 62] : [4, 0] })
    cases.append(rows { i in [Int64(i % 2), i == 2 ? 9 : Int64(i % 2) * 300] })
    cases.append(rows { i in [Int64(i % 4 + 1), -Int64(i % 4 + 1) * 3] })
    cases.append(rows { i in [Int64(i % 300), Int64(i % 300)] })
    cases.append(rows { i in i == 0 ? [-1, Int64.min] : [1, 1] })
    for (n, rows) in cases.enumerated() {
      var t = SampleTable(width: 2)
      var r = Reference()
      for row in rows {
        t.append(stack: StackID(1), values: row, labels: .none)
        r.stacks.append(StackID(1))
        r.labels.append(.none)
        r.values.append(row)
      }
      t.compact()
      assertSame(t, r)
      switch n {
      case 3: XCTAssertEqual(t.scales, [nil, SampleTable.ColumnScale(source: 0, factor: -3)])
      case 4: XCTAssertEqual(t.scales.compactMap { $0 }.count, 1, "equal columns: one stored")
      default: XCTAssertEqual(t.scales, [nil, nil], "case \(n)")
      }
    }
  }

  func testProfileCompactKeepsEveryValue() {
    var profiles = [FixtureProfiles.rich()]
    for seed in 1...3 { profiles.append(FixtureProfiles.random(seed: UInt64(seed), samples: 4000 * seed)) }
    for original in profiles {
      var p = original
      p.samples.reserveCapacity(p.samples.count * 4)
      p.compact()
      XCTAssertEqual(Array(p.samples.values), Array(original.samples.values))
      XCTAssertEqual(Array(p.samples.stacks), Array(original.samples.stacks))
      XCTAssertEqual(Array(p.samples.labelSets), Array(original.samples.labelSets))
      XCTAssertEqual(Array(p.stacks.parents), Array(original.stacks.parents))
      XCTAssertEqual(Array(p.stacks.locations), Array(original.stacks.locations))
      XCTAssertEqual(p.locations, original.locations)
      XCTAssertEqual(Array(p.locations), Array(original.locations))
      for c in 0..<p.samples.width { XCTAssertEqual(p.total(column: c), original.total(column: c)) }
      // Interning resumes after compacting: an existing stack is found, a new one added.
      let leaf = p.samples.stacks[0]
      let frames = p.stacks.frames(leafFirst: leaf)
      XCTAssertEqual(p.stacks.intern(leafFirst: frames), leaf)
      let count = p.stacks.count
      XCTAssertEqual(p.stacks.intern(leafFirst: [LocationID(0)] + frames).index, count)
    }
  }
}

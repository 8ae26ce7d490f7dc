import ProfileModel
import XCTest

@testable import Formats

/// The sample order the pprof decoder builds its stack tree in is sorted on two cores for big
/// profiles; it must equal the one-thread sort, and every sample must keep its own stack.
final class PprofParallelSortTests: XCTestCase {
  /// Stacks over a few locations with shared prefixes, repeats, and some deeper than the
  /// 64-frame sort prefix (those are ordered by hash past it).
  private func stacks(_ n: Int) -> [[Int32]] {
    var state: UInt64 = 7
    func next() -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int(state >> 33)
    }
    return (0..<n).map { i in
      let depth = i % 7 == 0 ? 65 + next() % 40 : 1 + next() % 12
      return (0..<depth).map { d in Int32(d < 3 ? d : next() % 5) }
    }
  }

  func testParallelOrderEqualsOneThreadSort() {
    let all = stacks(10_000)
    let frames = all.flatMap { $0 }
    var starts = [0]
    var hashes: [UInt64] = []
    for s in all {
      starts.append(starts[starts.count - 1] + s.count)
      var h: UInt64 = 0xcbf2_9ce4_8422_2325
      for f in s { h = (h ^ UInt64(UInt32(bitPattern: f))) &* 0x100_0000_01b3 }
      hashes.append(h)
    }
    frames.withUnsafeBufferPointer { f in
      starts.withUnsafeBufferPointer { st in
        hashes.withUnsafeBufferPointer { h in
          let less = StackOrder(frames: f, starts: st, hashes: h, prefix: PprofSampleDecoder.sortPrefix)
          let parallel = PprofSampleDecoder.sortedOrder(less, count: all.count)
          let sequential = Array(0..<all.count).sorted(by: less.callAsFunction)
          XCTAssertEqual(parallel.count, all.count)
          XCTAssertEqual(Set(parallel).count, all.count, "a permutation")
          // Equal stacks may swap places; the stacks visited, in order, must be the same.
          XCTAssertEqual(parallel.map { all[$0] }, sequential.map { all[$0] })
          for k in 1..<parallel.count { XCTAssertFalse(less(parallel[k], parallel[k - 1]), "out of order at \(k)") }
        }
      }
    }
  }

  func testEverySampleKeepsItsStackThroughPprof() throws {
    let all = stacks(9_000)
    var p = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let fn = p.strings.intern("f")
    p.functions.append(Function(name: fn, systemName: fn, filename: .empty))
    for k in 0..<5 { p.locations.append(Location(address: UInt64(0x1000 + k), lines: [Line(function: FunctionID(0))])) }
    for (i, s) in all.enumerated() {
      var node = StackID.root
      for loc in s { node = p.stacks.child(of: node, location: LocationID(loc)) }
      p.samples.append(stack: node, values: [Int64(i + 1)])
    }
    let again = try PprofDecoder.decode(try PprofEncoder.encode(p))
    XCTAssertEqual(again.samples.count, all.count)
    XCTAssertEqual(again.stacks.count, p.stacks.count, "the same tree, node for node")
    for i in 0..<all.count {
      XCTAssertEqual(again.samples.value(i, 0), Int64(i + 1))
      let frames = again.stacks.frames(leafFirst: again.samples.stacks[i]).map { again.locations[$0.index].address }
      let expected = p.stacks.frames(leafFirst: p.samples.stacks[i]).map { p.locations[$0.index].address }
      XCTAssertEqual(frames.count, all[i].count)
      XCTAssertEqual(frames, expected, "sample \(i)")
    }
    // No (parent, location) pair twice: interning every node again finds it.
    var tree = again.stacks
    for n in 1..<tree.count {
      let node = StackID(n)
      XCTAssertEqual(tree.child(of: tree.parent(of: node), location: tree.location(of: node)), node)
    }
    XCTAssertEqual(tree.count, again.stacks.count)
  }
  /// The word-at-a-time prefix comparison finds the first differing frame wherever it is: in
  /// the first, a middle or the last word, in the tail past whole words, or nowhere.
  func testFirstDifferenceMatchesAFrameByFrameScan() {
    func check<F: FixedWidthInteger>(_ type: F.Type) {
      var state: UInt64 = 11
      func next(_ n: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33) % n
      }
      for _ in 0..<3000 {
        let length = next(40)
        let a = (0..<length).map { _ in F(truncatingIfNeeded: next(3) == 0 ? next(70_000) : 7) }
        var b = a
        if length > 0, next(4) != 0 {
          b[next(length)] ^= F(truncatingIfNeeded: 1 << next(MemoryLayout<F>.size * 8 - 1))
        }
        // Two stacks at odd offsets of one buffer, as samples lie.
        let gap = next(5)
        let frames = [F](repeating: 0, count: 1) + a + [F](repeating: 0, count: gap) + b
        let naive = (0..<length).first { a[$0] != b[$0] } ?? length
        let fast = frames.withUnsafeBufferPointer {
          PprofSampleDecoder.firstDifference($0, 1, 1 + length + gap, limit: length)
        }
        XCTAssertEqual(fast, naive, "\(F.self) length \(length)")
      }
    }
    check(UInt16.self)
    check(Int32.self)
  }
}

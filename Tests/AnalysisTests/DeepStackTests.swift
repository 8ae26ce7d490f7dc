import Analysis
import ProfileModel
import XCTest

/// One stack of 100k frames, distinct or all one recursive function: every report must be exact,
/// and linear in the depth (a quadratic walk would not finish within the test run).
final class DeepStackTests: XCTestCase {
  static let depth = Int(ProcessInfo.processInfo.environment["DEEP_STACK_DEPTH"] ?? "") ?? 100_000

  /// `main` → f1 → … → f(depth-1), 2 samples on the leaf; plus `main` alone with 1.
  private func distinct() -> Profile {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    var leafFirst: [LocationID] = []
    for i in stride(from: Self.depth - 1, through: 1, by: -1) {
      leafFirst.append(b.location(function: b.function("f\(i)", file: "deep.c"), line: Int64(i)))
    }
    let main = b.location(function: b.function("main", file: "deep.c"), line: 1)
    leafFirst.append(main)
    b.addSample(leafFirst: leafFirst, values: [2])
    b.addSample(leafFirst: [main], values: [1])
    return b.build()
  }

  /// `main` → rec → rec → … (depth - 1 times), 3 samples on the deepest rec.
  private func recursive() -> Profile {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let rec = b.location(function: b.function("rec", file: "deep.c"), line: 7)
    let main = b.location(function: b.function("main", file: "deep.c"), line: 1)
    b.addSample(leafFirst: [LocationID](repeating: rec, count: Self.depth - 1) + [main], values: [3])
    return b.build()
  }

  /// `main` → a → b → a → b … (depth - 1 frames), 5 samples on the deepest frame.
  private func mutual() -> Profile {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let a = b.location(function: b.function("a", file: "deep.c"), line: 3)
    let bb = b.location(function: b.function("b", file: "deep.c"), line: 5)
    let main = b.location(function: b.function("main", file: "deep.c"), line: 1)
    let rootFirst = [main] + (1..<Self.depth).map { $0 % 2 == 1 ? a : bb }
    b.addSample(leafFirst: rootFirst.reversed(), values: [5])
    return b.build()
  }

  func testPeekAndTopOfMutualRecursion() throws {
    let p = mutual()
    let peek = try PeekReport(profile: p, matching: NameMatcher("^a$"))
    let a = try XCTUnwrap(peek.entries.first)
    // Each call edge is counted once per sample however often it repeats on the stack.
    XCTAssertEqual(a.callers.map { "\($0.info.name) \($0.weight)" }.sorted(), ["b 5", "main 5"])
    XCTAssertEqual(a.callees.map { "\($0.info.name) \($0.weight)" }, ["b 5"])
    XCTAssertEqual(a.node.cum, 5)
    let top = try TopReport(profile: p, options: TopOptions(nodeCount: nil))
    XCTAssertEqual(top.rows.map(\.cum), [5, 5, 5])
    XCTAssertEqual(top.rows.map(\.flat).reduce(0, +), 5)
    let tree = try CallTree(profile: p)
    XCTAssertEqual(tree.rows.count, Self.depth)
  }

  /// `main` → a → f1 → a → f2 → a → …: `a` recurs with a new caller each time, the case where
  /// finding an already-counted call by scanning the path was quadratic.
  func testRecursionThroughDistinctCallers() throws {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let a = b.location(function: b.function("a", file: "deep.c"), line: 3)
    var rootFirst = [b.location(function: b.function("main", file: "deep.c"), line: 1), a]
    let pairs = Self.depth / 2
    for i in 1..<pairs { rootFirst += [b.location(function: b.function("f\(i)", file: "deep.c"), line: 9), a] }
    b.addSample(leafFirst: rootFirst.reversed(), values: [4])
    let peek = try PeekReport(profile: b.build(), matching: NameMatcher("^a$"))
    let entry = try XCTUnwrap(peek.entries.first)
    XCTAssertEqual(entry.callers.count, pairs)
    XCTAssertEqual(entry.callees.count, pairs - 1)
    XCTAssertTrue(entry.callers.allSatisfy { $0.weight == 4 })
    XCTAssertEqual(entry.node.cum, 4)
    XCTAssertEqual(entry.node.flat, 4)
  }

  func testTopOfDeepStacks() throws {
    let d = try TopReport(profile: distinct(), options: TopOptions(nodeCount: nil))
    XCTAssertEqual(d.rows.count, Self.depth)
    XCTAssertEqual(d.rows.first { $0.info.name == "main" }?.cum, 3)
    XCTAssertEqual(d.rows.first { $0.info.name == "f\(Self.depth - 1)" }?.flat, 2)
    let r = try TopReport(profile: recursive(), options: TopOptions(nodeCount: nil))
    XCTAssertEqual(r.rows.map(\.info.name), ["rec", "main"])
    XCTAssertEqual(r.rows.map(\.cum), [3, 3])
    XCTAssertEqual(r.rows.map(\.flat), [3, 0])
  }

  func testPeekOfDeepStacks() throws {
    let d = try PeekReport(profile: distinct(), matching: NameMatcher("."))
    XCTAssertEqual(d.entries.count, Self.depth)
    let f5 = try XCTUnwrap(d.entries.first { $0.node.info.name == "f5" })
    XCTAssertEqual(f5.callers.map(\.info.name), ["f4"])
    XCTAssertEqual(f5.callees.map(\.info.name), ["f6"])
    XCTAssertEqual(f5.node.cum, 2)
    let r = try PeekReport(profile: recursive(), matching: NameMatcher("rec"))
    let rec = try XCTUnwrap(r.entries.first)
    XCTAssertEqual(rec.callers.map { "\($0.info.name) \($0.weight)" }, ["main 3"])
    XCTAssertEqual(rec.callees.map { "\($0.info.name) \($0.weight)" }, [], "no self edges, as pprof")
    XCTAssertEqual(rec.node.cum, 3)
    XCTAssertEqual(rec.node.flat, 3)
  }

  func testTreeOfDeepStacks() throws {
    let d = try CallTree(profile: distinct())
    XCTAssertEqual(d.rows.count, Self.depth)
    XCTAssertEqual(d.rows.last?.depth, Self.depth - 1)
    XCTAssertEqual(d.rows.last?.cum, 2)
    let r = try CallTree(profile: recursive())
    XCTAssertEqual(r.rows.count, Self.depth)
    XCTAssertEqual(r.rows.last?.info.name, "rec")
    XCTAssertEqual(r.rows.last?.flat, 3)
  }

  func testListOfDeepStacks() throws {
    let d = try SourceListing(profile: distinct(), matching: NameMatcher("^f7$")) { _ in nil }
    XCTAssertEqual(d.routines.count, 1)
    XCTAssertEqual(d.routines.first?.lines.filter { $0.cum != 0 }.map(\.cum), [2])
    let r = try SourceListing(profile: recursive(), matching: NameMatcher("rec")) { _ in nil }
    XCTAssertEqual(r.routines.first?.lines.filter { $0.cum != 0 }.map(\.flat), [3])
    XCTAssertEqual(r.routines.first?.lines.filter { $0.cum != 0 }.map(\.cum), [3])
  }
}

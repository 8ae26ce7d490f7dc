import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// `bench`: the ABBA order, warmups that are not kept, a failing run that stops the bench
/// keeping both partial sessions, and the split of the two command lines.
final class BenchTests: XCTestCase {
  /// One run of `work` with `millis` of CPU, exiting with `exit`.
  private func run(_ millis: Int64, exit: Int32 = 0) -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    b.addSample(rootFirstNames: ["main", "work"], values: [millis, millis * 1_000_000])
    b.withProfile {
      $0.run.elapsedNanos = millis * 1_100_000
      $0.run.cpuNanos = millis * 1_000_000
      $0.run.termination = .exited(exit)
      $0.run.command = ["./app"]
    }
    return b.build()
  }

  func testOrderIsABBA() {
    XCTAssertEqual(BenchOrder.abba.sides(runs: 4).map(\.letter).joined(), "ABBAABBA")
    XCTAssertEqual(BenchOrder.abba.sides(runs: 3).map(\.letter).joined(), "ABBAAB")
  }

  func testRandomOrderIsSeededAndKeepsEveryPairOneAOneB() throws {
    XCTAssertEqual(BenchOrder(option: "abba"), .abba)
    XCTAssertEqual(BenchOrder(option: "random:42"), .random(seed: 42))
    XCTAssertNil(BenchOrder(option: "random:x"))
    XCTAssertNil(BenchOrder(option: "ab"))
    guard case .random = BenchOrder(option: "random") else { return XCTFail("random takes a fresh seed") }
    let order = BenchOrder.random(seed: 42).sides(runs: 40)
    XCTAssertEqual(order, BenchOrder.random(seed: 42).sides(runs: 40), "the same seed gives the same order")
    XCTAssertNotEqual(order, BenchOrder.random(seed: 43).sides(runs: 40))
    XCTAssertNotEqual(order, BenchOrder.abba.sides(runs: 40))
    for pair in stride(from: 0, to: order.count, by: 2) {
      XCTAssertEqual(Set([order[pair], order[pair + 1]]), [.a, .b], "pair \(pair / 2)")
    }
    let aFirst = stride(from: 0, to: order.count, by: 2).filter { order[$0] == .a }.count
    XCTAssertTrue((10...30).contains(aFirst), "a fair coin over 40 pairs: \(aFirst) with A first")
  }

  func testEveryCountedRunIsTaggedWithItsPairOfOneBench() throws {
    let shell = CapturedShell()
    let outcome = try BenchCommand.interleave(runs: 3, warmup: 1, order: .random(seed: 7), context: shell.context) {
      side, i throws(ShellError) in run(10 + Int64(i))
    }
    let a = try XCTUnwrap(outcome.profiles[0]).repeats.map(\.benchPair)
    let b = try XCTUnwrap(outcome.profiles[1]).repeats.map(\.benchPair)
    XCTAssertEqual(a.map { $0?.index }, [0, 1, 2])
    XCTAssertEqual(a, b, "run i of A and run i of B are pair i of the same bench")
    XCTAssertNotNil(a[0]?.bench)
    let order = BenchOrder.random(seed: 7).sides(runs: 3).map(\.letter).joined(separator: " ")
    XCTAssertTrue(
      try XCTUnwrap(outcome.profiles[0]).run.notes.contains {
        $0.contains("interleaved random (seed 7) order \(order);")
      })
  }

  func testWarmupsAreNotCountedAndTheOrderIsRecorded() throws {
    try PerfEvents.skipUnlessAvailable()
    let shell = CapturedShell()
    var calls: [String] = []
    let outcome = try BenchCommand.interleave(runs: 4, warmup: 2, context: shell.context) {
      side, i throws(ShellError) in
      calls.append("\(side.letter)\(i)")
      // Warmups are far slower: if they were counted, the means would show it.
      return run(i == 0 ? 1000 : (side == .a ? 10 : 20) + Int64(i))
    }
    XCTAssertEqual(calls, ["A0", "B0", "A0", "B0", "A1", "B1", "B2", "A2", "A3", "B3", "B4", "A4"])
    XCTAssertNil(outcome.failedStatus)
    let a = try XCTUnwrap(outcome.profiles[0])
    let b = try XCTUnwrap(outcome.profiles[1])
    XCTAssertEqual(a.repeats.map(\.cpuNanos), [11, 12, 13, 14].map { Int64($0) * 1_000_000 })
    XCTAssertEqual(b.repeats.map(\.cpuNanos), [21, 22, 23, 24].map { Int64($0) * 1_000_000 })
    XCTAssertTrue(
      a.run.notes.contains {
        $0.contains("bench side A: interleaved ABBA order A B B A A B B A; 2 warmup runs per side not counted")
      }, "\(a.run.notes)")
    XCTAssertTrue(b.run.notes.contains { $0.hasPrefix("bench side B:") })
    XCTAssertTrue(shell.stderr.contains("perfsh: warmup 2/2 B (not counted)"), shell.stderr)
  }

  func testAFailingRunStopsTheBenchAndKeepsBothPartialSides() throws {
    let shell = CapturedShell()
    var calls = 0
    let outcome = try BenchCommand.interleave(runs: 5, warmup: 0, context: shell.context) {
      side, i throws(ShellError) in
      calls += 1
      return run(10, exit: side == .b && i == 2 ? 7 : 0)
    }
    XCTAssertEqual(calls, 3, "A1 B1 B2: stops at B's second run")
    XCTAssertEqual(outcome.failedStatus, 7)
    XCTAssertEqual(outcome.profiles[0]?.repeats.count ?? -1, 0, "one run: a plain profile, no repeats")
    XCTAssertNotNil(outcome.profiles[0])
    XCTAssertEqual(outcome.profiles[1]?.repeats.count, 2)
    XCTAssertEqual(outcome.profiles[1]?.run.termination, .exited(7))
    XCTAssertEqual(outcome.failure?.text, "B run 2 failed (exit 7)")
  }

  func testSplitTakesTheSecondNameAfterTheBar() throws {
    let (a, b) = try BenchCommand.split(["./app", "x", "--", "--name", "slow", "./app", "--slowdown", "2"], nameA: nil)
    XCTAssertEqual(a, BenchCommand.Spec(name: "app", argv: ["./app", "x"]))
    XCTAssertEqual(b, BenchCommand.Spec(name: "slow", argv: ["./app", "--slowdown", "2"]))
    let (c, d) = try BenchCommand.split(["/bin/app", "--", "./app"], nameA: nil)
    XCTAssertEqual([c.name, d.name], ["app-A", "app-B"], "same names get suffixes")
    XCTAssertThrowsError(try BenchCommand.split(["./app"], nameA: nil))
    XCTAssertThrowsError(try BenchCommand.split(["./app", "--"], nameA: nil))
  }
}

import Foundation
import FuzzTargets
import XCTest

/// Replays the committed fuzz inputs through the same entry points libFuzzer drives, without
/// sanitizers: every seed of `Fuzz/corpus/TARGET/` must be accepted (seeds are valid inputs),
/// and every crash input of `Fuzz/regressions/TARGET/` must now run to an outcome. A crash
/// input whose fix is still open elsewhere is listed in `knownOpenFindings` and skipped
/// unless `PERFSH_FUZZ_REPLAY_OPEN=1`; remove its line once the fix is merged.
final class RegressionReplayTests: XCTestCase {
  /// `TARGET/FILE` of regression inputs that still crash, with the owner of the fix.
  static let knownOpenFindings: Set<String> = []

  static let fuzzDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz")

  private func files(_ kind: String, _ target: FuzzTarget) -> [URL] {
    let dir = Self.fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
  }

  func testEveryTargetHasSeedsThatAreAccepted() throws {
    for target in FuzzTarget.allCases {
      let seeds = files("corpus", target)
      XCTAssertFalse(seeds.isEmpty, "Fuzz/corpus/\(target.rawValue) has no seed")
      for seed in seeds {
        let outcome = target.run([UInt8](try Data(contentsOf: seed)))
        guard case .accepted(let items) = outcome else {
          XCTFail("\(target.rawValue)/\(seed.lastPathComponent): \(outcome)")
          continue
        }
        XCTAssertGreaterThan(items, 0, "\(target.rawValue)/\(seed.lastPathComponent) produced nothing")
      }
    }
  }

  func testRegressionInputsRunToAnOutcome() throws {
    let replayOpen = ProcessInfo.processInfo.environment["PERFSH_FUZZ_REPLAY_OPEN"] == "1"
    var replayed = 0
    for target in FuzzTarget.allCases {
      for input in files("regressions", target) {
        let key = "\(target.rawValue)/\(input.lastPathComponent)"
        if Self.knownOpenFindings.contains(key) && !replayOpen { continue }
        // A crash here is the finding reproducing: the test process dies naming the input.
        FileHandle.standardError.write(Data("replaying Fuzz/regressions/\(key)\n".utf8))
        switch target.run([UInt8](try Data(contentsOf: input))) {
        case .accepted: break
        case .rejected(let message): XCTAssertFalse(message.isEmpty, key)
        }
        replayed += 1
      }
    }
    print("replayed \(replayed) regression inputs")
  }

  func testKnownOpenFindingsNameExistingInputs() {
    for key in Self.knownOpenFindings {
      let url = Self.fuzzDirectory.appendingPathComponent("regressions").appendingPathComponent(key)
      XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), "\(key) is listed but missing")
    }
  }
}

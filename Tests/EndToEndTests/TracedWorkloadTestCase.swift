import Foundation
import PerfshTestSupport
import XCTest

/// The shared set-up of end-to-end tests that trace the bundled workloads: skips without
/// uprobes, builds the examples, and runs the built perfsh from the repository root with
/// its own home directory.
class TracedWorkloadTestCase: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The temporary home of one test (its history, config and outputs).
  var home: URL!

  /// The prefix of the temporary home's name.
  class var homePrefix: String { "trace-e2e" }

  override func setUpWithError() throws {
    try PerfEvents.skipUnlessAvailable()
    guard FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/uprobe") else {
      throw XCTSkip("the kernel has no uprobes")
    }
    let build = try ProcessRunner.run(Self.root.appendingPathComponent("scripts/build-examples"), [])
    XCTAssertEqual(build.status, 0, build.stderr)
    home = try ProcessRunner.temporaryDirectory(Self.homePrefix)
  }

  override func tearDownWithError() throws {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  /// Runs `perfsh -c SCRIPT` from the repository root.
  func perfsh(_ script: String) throws -> ProcessResult {
    try PerfshBinary.run(["-c", script], environment: try PerfshBinary.environment(home: home), directory: Self.root)
  }
}

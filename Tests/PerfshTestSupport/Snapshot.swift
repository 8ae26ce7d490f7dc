import Foundation
import XCTest

/// Compares `text` with the snapshot stored next to the calling test file under
/// `Snapshots/<name>.txt`.
///
/// With `RECORD_SNAPSHOTS=1` in the environment, or when no snapshot exists yet, the text is
/// written as the new snapshot and the test FAILS, so a recording is never mistaken for a pass.
public func assertSnapshot(
  _ text: String, named name: String, file: StaticString = #filePath, line: UInt = #line
) {
  let testFile = URL(fileURLWithPath: "\(file)")
  let directory = testFile.deletingLastPathComponent().appendingPathComponent("Snapshots")
  let url = directory.appendingPathComponent("\(name).txt")
  let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
  let existing = try? String(contentsOf: url, encoding: .utf8)
  if record || existing == nil {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try text.write(to: url, atomically: true, encoding: .utf8)
      XCTFail("recorded snapshot \(url.path); run again without RECORD_SNAPSHOTS to compare", file: file, line: line)
    } catch {
      XCTFail("cannot write snapshot \(url.path): \(error)", file: file, line: line)
    }
    return
  }
  guard let expected = existing, expected != text else { return }
  XCTFail("snapshot \(name) differs:\n\(firstDifference(expected: expected, actual: text))", file: file, line: line)
}

/// The first differing line of two texts, for a readable failure.
func firstDifference(expected: String, actual: String) -> String {
  let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
  let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
  for i in 0..<max(e.count, a.count) {
    let el = i < e.count ? String(e[i]) : "<end>"
    let al = i < a.count ? String(a[i]) : "<end>"
    if el != al { return "line \(i + 1):\n  expected: \(el)\n  actual:   \(al)\n--- actual ---\n\(actual)" }
  }
  return "(texts differ only in line endings)"
}

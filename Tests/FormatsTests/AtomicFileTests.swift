import Foundation
import XCTest

@testable import Formats

final class AtomicFileTests: XCTestCase {
  func testWritesAndReplacesWithoutLeavingTemporaries() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-atomic-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("out.folded").path
    try AtomicFile.write("first\n", to: path)
    try AtomicFile.write([1, 2, 3], to: path)
    XCTAssertEqual(FileManager.default.contents(atPath: path), Data([1, 2, 3]))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.folded"])
  }

  func testMissingDirectoryIsAnIOError() {
    XCTAssertThrowsError(try AtomicFile.write([1], to: "/nonexistent-perfsh-dir/x.pb.gz")) { error in
      guard case .io(let path, let op, let errno)? = error as? FormatError else { return XCTFail("\(error)") }
      XCTAssertEqual(path, "/nonexistent-perfsh-dir/x.pb.gz")
      XCTAssertEqual(op, "create temporary file")
      XCTAssertEqual(errno, ENOENT)
      XCTAssertEqual("\(error)", "/nonexistent-perfsh-dir/x.pb.gz: create temporary file failed: no such file or directory")
    }
  }
}

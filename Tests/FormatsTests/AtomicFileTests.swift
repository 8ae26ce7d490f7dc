import Foundation
import PerfshTestSupport
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

  func testInputFileReadsWhatAtomicFileWrote() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-input-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("cpu.pb.gz").path
    let bytes = try PprofEncoder.encode(FixtureProfiles.random(seed: 2, samples: 5000))
    try AtomicFile.write(bytes, to: path)
    XCTAssertEqual(try InputFile.read(path), bytes)
    XCTAssertEqual(try ProfileLoader.load(path: path).samples.count, 5000)
    XCTAssertEqual(try InputFile.read("/proc/self/cmdline").isEmpty, false)
    XCTAssertThrowsError(try InputFile.read(dir.path)) { error in
      XCTAssertEqual(error as? FormatError, .notRegularFile(path: dir.path, kind: .directory))
      XCTAssertEqual("\(error)", "\(dir.path): is a directory, not a regular file")
    }
    XCTAssertThrowsError(try InputFile.read(path, limit: 100)) {
      XCTAssertEqual($0 as? FormatError, .fileTooLarge(limit: 100))
      XCTAssertEqual("\($0)", "file is larger than the 100-byte limit")
    }
    XCTAssertThrowsError(try InputFile.read(dir.path + "/missing")) { error in
      XCTAssertEqual("\(error)", "\(dir.path)/missing: open failed: no such file or directory")
    }
  }

  func testMissingDirectoryIsAnIOError() {
    XCTAssertThrowsError(try AtomicFile.write([1], to: "/nonexistent-perfsh-dir/x.pb.gz")) { error in
      guard case .io(let path, let op, let errno)? = error as? FormatError else { return XCTFail("\(error)") }
      XCTAssertEqual(path, "/nonexistent-perfsh-dir/x.pb.gz")
      XCTAssertEqual(op, "create temporary file")
      XCTAssertEqual(errno.rawValue, ENOENT)
      XCTAssertEqual(
        "\(error)", "/nonexistent-perfsh-dir/x.pb.gz: create temporary file failed: no such file or directory")
    }
  }
}

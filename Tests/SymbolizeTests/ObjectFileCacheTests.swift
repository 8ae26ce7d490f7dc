import Foundation
import XCTest

@testable import Symbolize

/// One cache of opened binaries: an unchanged binary is mapped and parsed once however many
/// readers ask (symbolization, unwinding, probe placement); a rebuilt one is opened afresh.
final class ObjectFileCacheTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-objcache-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// A copy of a real ELF executable under `name`.
  private func binary(_ name: String) throws -> String {
    let path = directory.appendingPathComponent(name).path
    try FileManager.default.copyItem(atPath: "/bin/true", toPath: path)
    return path
  }

  func testUnchangedBinaryIsOpenedOnceAndARebuiltOneAgain() throws {
    let cache = ObjectFileCache()
    let path = try binary("app")
    let first = try cache.open(path)
    let second = try cache.open(path)
    XCTAssertTrue(first === second)
    XCTAssertEqual(cache.openCount, 1)
    XCTAssertEqual(first.elf.buildIDHex, second.elf.buildIDHex)
    // A rebuild: same path, new contents and modification time.
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes.append(0)
    try FileManager.default.removeItem(atPath: path)
    try bytes.write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: path)
    let rebuilt = try cache.open(path)
    XCTAssertFalse(rebuilt === first)
    XCTAssertEqual(rebuilt.bytes.count, first.bytes.count + 1)
    XCTAssertEqual(cache.openCount, 2)
    XCTAssertEqual(first.bytes.count, bytes.count - 1, "an old reader keeps its mapping")
  }

  func testLeastRecentlyUsedEntryGoesFirst() throws {
    let cache = ObjectFileCache(capacity: 2)
    let a = try binary("a")
    let b = try binary("b")
    let c = try binary("c")
    _ = try cache.open(a)
    _ = try cache.open(b)
    _ = try cache.open(a)  // a is now newer than b
    _ = try cache.open(c)  // evicts b
    XCTAssertEqual(cache.count, 2)
    XCTAssertEqual(cache.openCount, 3)
    _ = try cache.open(a)
    XCTAssertEqual(cache.openCount, 3)
    _ = try cache.open(b)
    XCTAssertEqual(cache.openCount, 4)
  }

  func testMissingFileIsAnErrorAndNotCached() {
    let cache = ObjectFileCache()
    XCTAssertThrowsError(try cache.open(directory.appendingPathComponent("none").path))
    XCTAssertEqual(cache.count, 0)
  }

  func testSymbolizationUnwindingAndProbePlacementShareOneOpen() throws {
    let path = try binary("shared")
    let before = ObjectFileCache.shared.openCount
    let unwind = try UnwindBinary(path: path)
    let image = try BinaryImage(path: path, debugRoots: [])
    XCTAssertTrue(GoBinaryDetector.isGo(path: path) == false)
    let sites = try ProbeSiteResolver.functions(in: path, debugRoots: [])
    _ = ProbeSiteResolver.placed(Array(sites.prefix(3)))
    XCTAssertEqual(ObjectFileCache.shared.openCount - before, 1)
    XCTAssertEqual(unwind.path, path)
    XCTAssertEqual(image.path, path)
  }
}

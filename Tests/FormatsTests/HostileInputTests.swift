import Foundation
import PerfshTestSupport
import XCTest

@testable import Formats

/// `InputFile` reads regular files only: a FIFO must not block the open, and a link to
/// `/dev/zero` must not be read until memory runs out.
final class HostileInputTests: XCTestCase {
  private var dir: String = ""

  override func setUpWithError() throws {
    dir = try ProcessRunner.temporaryDirectory("hostile-in").path
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: dir)
  }

  func testFIFOIsRefusedWithoutBlocking() throws {
    let fifo = dir + "/cpu.pb.gz"
    try makeFIFO(fifo)
    let guardian = FIFOHangGuard(fifo: fifo)
    XCTAssertThrowsError(try ProfileLoader.load(path: fifo)) { error in
      XCTAssertEqual(error as? FormatError, .notRegularFile(path: fifo, kind: .fifo))
      XCTAssertEqual("\(error)", "\(fifo): is a FIFO, not a regular file")
    }
    XCTAssertTrue(guardian.finish(), "opening a FIFO must not block")
  }

  func testLinkToDevZeroIsRefused() throws {
    let link = dir + "/zero.folded"
    XCTAssertEqual(symlink("/dev/zero", link), 0)
    XCTAssertThrowsError(try InputFile.read(link)) { error in
      XCTAssertEqual(error as? FormatError, .notRegularFile(path: link, kind: .characterDevice))
      XCTAssertEqual(error as? FormatError, .notRegularFile(path: link, kind: .characterDevice))
    }
    XCTAssertThrowsError(try InputFile.checkReadable(link))
  }

  func testSizeCapHoldsForFilesThatReportNoSize() throws {
    // /proc files are regular with st_size 0: the cap must hold while reading.
    XCTAssertThrowsError(try InputFile.read("/proc/self/maps", limit: 10)) { error in
      XCTAssertEqual(error as? FormatError, .fileTooLarge(limit: 10))
    }
    let exact = dir + "/exact"
    try Data(repeating: 65, count: 100).write(to: URL(fileURLWithPath: exact))
    XCTAssertEqual(try InputFile.read(exact, limit: 100).count, 100)
    XCTAssertThrowsError(try InputFile.read(exact, limit: 99))
    XCTAssertNoThrow(try InputFile.checkReadable(exact, limit: 100))
    XCTAssertThrowsError(try InputFile.checkReadable(exact, limit: 99))
  }

  func testErrorsNameThePathOnce() {
    let error = FormatError.notRegularFile(path: "/x/p", kind: .fifo)
    XCTAssertEqual(error.path, "/x/p")
    XCTAssertEqual(error.reason, "is a FIFO, not a regular file")
    XCTAssertNil(FormatError.empty.path)
    XCTAssertEqual(FormatError.empty.reason, "empty file")
  }
}

import Foundation
import PerfshTestSupport
import Syscalls
import XCTest

@testable import Formats

/// `AtomicFile` on paths that are not plain files: devices, FIFOs, symlinks, other users'
/// files, hard links, directories and sockets. Atomic replace is for regular files only.
final class HostileOutputTests: XCTestCase {
  private var dir: String = ""

  override func setUpWithError() throws {
    dir = try ProcessRunner.temporaryDirectory("hostile-out").path
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: dir)
  }

  private func kind(_ path: String) -> FileKind? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return FileKind(mode: info.st_mode)
  }

  private func entries() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
  }

  func testCharacterDeviceIsWrittenThroughNotReplaced() throws {
    try XCTSkipIf(geteuid() != 0, "mknod needs root")
    let null = dir + "/null"
    // makedev(1, 3): the same device as /dev/null, in a scratch folder.
    guard mknod(null, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 else { throw XCTSkip("mknod failed: errno \(errno)") }
    try AtomicFile.write([1, 2, 3], to: null)
    try AtomicFile.write("text\n", to: null)
    XCTAssertEqual(kind(null), .characterDevice, "the device node stays a device node")
    XCTAssertEqual(try entries(), ["null"], "no temporary file is left beside it")
  }

  func testWritesReachTheDevice() throws {
    try XCTSkipIf(geteuid() != 0, "mknod needs root")
    // makedev(1, 7) is /dev/full, whose writes fail with ENOSPC: the error proves the
    // bytes went to the device rather than to a file renamed over it.
    let full = dir + "/full"
    guard mknod(full, S_IFCHR | 0o666, dev_t((1 << 8) | 7)) == 0 else { throw XCTSkip("mknod failed: errno \(errno)") }
    XCTAssertThrowsError(try AtomicFile.write([1, 2, 3], to: full)) { error in
      XCTAssertEqual(error as? FormatError, .io(path: full, operation: "write", errno: Errno(rawValue: ENOSPC)))
    }
    XCTAssertEqual(kind(full), .characterDevice)
    XCTAssertEqual(try entries(), ["full"])
  }

  func testFIFOWithoutReaderIsRefusedAtOnce() throws {
    let fifo = dir + "/pipe"
    try makeFIFO(fifo)
    let guardian = FIFOHangGuard(fifo: fifo)
    XCTAssertThrowsError(try AtomicFile.write([1, 2, 3], to: fifo)) { error in
      XCTAssertEqual(error as? FormatError, .fifoWithoutReader(path: fifo))
      XCTAssertEqual(
        "\(error)", "\(fifo): is a FIFO with no reader (perfsh does not wait for one; start the reader first)")
    }
    XCTAssertTrue(guardian.finish(), "writing to a FIFO without a reader must not block")
    XCTAssertEqual(kind(fifo), .fifo)
    XCTAssertEqual(try entries(), ["pipe"])
  }

  func testFIFOWithReaderGetsTheBytes() throws {
    let fifo = dir + "/pipe"
    try makeFIFO(fifo)
    let reader = open(fifo, O_RDONLY | O_NONBLOCK)
    XCTAssertGreaterThanOrEqual(reader, 0)
    defer { close(reader) }
    let guardian = FIFOHangGuard(fifo: fifo)
    try AtomicFile.write([7, 8, 9], to: fifo)
    XCTAssertTrue(guardian.finish())
    var buffer = [UInt8](repeating: 0, count: 16)
    XCTAssertEqual(read(reader, &buffer, buffer.count), 3)
    XCTAssertEqual(Array(buffer[0..<3]), [7, 8, 9])
    XCTAssertEqual(kind(fifo), .fifo)
  }

  func testFIFOWhoseReaderLeavesIsAnErrorNotASignal() throws {
    let fifo = dir + "/pipe"
    try makeFIFO(fifo)
    let reader = open(fifo, O_RDONLY | O_NONBLOCK)
    XCTAssertGreaterThanOrEqual(reader, 0)
    // A writer thread fills the pipe; the reader then closes, and the write must fail with
    // EPIPE instead of a SIGPIPE that would end the process (and this test run).
    let done = DispatchSemaphore(value: 0)
    let result = ResultBox()
    Thread.detachNewThread {
      do {
        try AtomicFile.write([UInt8](repeating: 1, count: 1 << 20), to: fifo)
      } catch {
        result.error = error as? FormatError
      }
      done.signal()
    }
    usleep(200_000)
    close(reader)
    XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
    XCTAssertEqual(result.error, .io(path: fifo, operation: "write", errno: Errno(rawValue: EPIPE)))
  }

  func testDescriptorPathOfARegularFileIsAppendedThrough() throws {
    let path = dir + "/stdout.txt"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    XCTAssertGreaterThanOrEqual(fd, 0)
    defer { close(fd) }
    XCTAssertEqual(write(fd, "before\n", 7), 7)
    var before = stat()
    XCTAssertEqual(stat(path, &before), 0)
    try AtomicFile.write(Array("one\n".utf8), to: "/proc/self/fd/\(fd)")
    try AtomicFile.write(Array("two\n".utf8), to: "/dev/fd/\(fd)")
    XCTAssertEqual(write(fd, "after\n", 6), 6)
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "before\none\ntwo\nafter\n")
    var after = stat()
    XCTAssertEqual(stat(path, &after), 0)
    XCTAssertEqual(after.st_ino, before.st_ino, "the open file was written, not replaced")
    XCTAssertEqual(kind("/dev/fd"), .symbolicLink, "/dev/fd is untouched")
    XCTAssertEqual(try entries(), ["stdout.txt"])
  }

  func testSymlinkStaysALinkAndItsTargetGetsTheBytes() throws {
    let target = dir + "/real.pb"
    try Data([0]).write(to: URL(fileURLWithPath: target))
    XCTAssertEqual(symlink("real.pb", dir + "/link.pb"), 0)
    try AtomicFile.write([4, 5, 6], to: dir + "/link.pb")
    XCTAssertEqual(kind(dir + "/link.pb"), .symbolicLink)
    XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.pb"), "real.pb")
    XCTAssertEqual(FileManager.default.contents(atPath: target), Data([4, 5, 6]))
    XCTAssertEqual(try entries(), ["link.pb", "real.pb"])

    // A dangling link (through a second link) creates the file it points to.
    try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
    XCTAssertEqual(symlink(dir + "/sub/new.pb", dir + "/dangling"), 0)
    XCTAssertEqual(symlink("dangling", dir + "/twice"), 0)
    try AtomicFile.write([1], to: dir + "/twice")
    XCTAssertEqual(kind(dir + "/twice"), .symbolicLink)
    XCTAssertEqual(kind(dir + "/dangling"), .symbolicLink)
    XCTAssertEqual(FileManager.default.contents(atPath: dir + "/sub/new.pb"), Data([1]))

    // A link loop is an error, not a hang.
    XCTAssertEqual(symlink("loop-b", dir + "/loop-a"), 0)
    XCTAssertEqual(symlink("loop-a", dir + "/loop-b"), 0)
    XCTAssertThrowsError(try AtomicFile.write([1], to: dir + "/loop-a"))
  }

  func testAnotherUsersPrivateFileKeepsItsModeAndOwner() throws {
    try XCTSkipIf(geteuid() != 0, "chown needs root")
    let path = dir + "/theirs.pb"
    try Data([0, 0]).write(to: URL(fileURLWithPath: path))
    XCTAssertEqual(chown(path, nobodyID.uid, nobodyID.gid), 0)
    XCTAssertEqual(chmod(path, 0o600), 0)
    try AtomicFile.write([9, 9, 9], to: path)
    var info = stat()
    XCTAssertEqual(stat(path, &info), 0)
    XCTAssertEqual(info.st_uid, nobodyID.uid)
    XCTAssertEqual(info.st_gid, nobodyID.gid)
    XCTAssertEqual(info.st_mode & 0o7777, 0o600)
    XCTAssertEqual(FileManager.default.contents(atPath: path), Data([9, 9, 9]))
    XCTAssertEqual(try entries(), ["theirs.pb"])
  }

  func testOwnFileKeepsAnUnusualMode() throws {
    let path = dir + "/mine.pb"
    try Data([0]).write(to: URL(fileURLWithPath: path))
    XCTAssertEqual(chmod(path, 0o1640), 0)
    try AtomicFile.write([1, 2], to: path)
    var info = stat()
    XCTAssertEqual(stat(path, &info), 0)
    XCTAssertEqual(info.st_mode & 0o7777, 0o1640)
    // Set-user-ID is dropped, as the kernel drops it when a file is rewritten.
    XCTAssertEqual(chmod(path, 0o4750), 0)
    try AtomicFile.write([3], to: path)
    XCTAssertEqual(stat(path, &info), 0)
    XCTAssertEqual(info.st_mode & 0o7777, 0o750)
    XCTAssertEqual(FileManager.default.contents(atPath: path), Data([3]))
  }

  func testHardLinkedFileIsRewrittenInPlace() throws {
    let path = dir + "/a.pb"
    try Data([0]).write(to: URL(fileURLWithPath: path))
    XCTAssertEqual(link(path, dir + "/b.pb"), 0)
    try AtomicFile.write([5, 5], to: path)
    XCTAssertEqual(
      FileManager.default.contents(atPath: dir + "/b.pb"), Data([5, 5]), "both names still share one file")
  }

  func testDirectoryAndSocketAreRefused() throws {
    let sub = dir + "/out"
    try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
    XCTAssertThrowsError(try AtomicFile.write([1], to: sub)) { error in
      XCTAssertEqual(error as? FormatError, .cannotWriteTo(path: sub, kind: .directory))
      XCTAssertEqual(
        "\(error)", "\(sub): is a directory; perfsh writes only regular files, character devices and FIFOs")
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: sub), [])

    let socketPath = dir + "/sock"
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (i, byte) in socketPath.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    try XCTSkipIf(bound != 0, "cannot bind a unix socket here")
    XCTAssertThrowsError(try AtomicFile.write([1], to: socketPath)) { error in
      XCTAssertEqual(error as? FormatError, .cannotWriteTo(path: socketPath, kind: .socket))
    }
    XCTAssertEqual(kind(socketPath), .socket)
  }
}

/// Where a writer thread leaves its error.
private final class ResultBox: @unchecked Sendable {
  var error: FormatError?
}

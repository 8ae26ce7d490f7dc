import Capture
import Foundation
import Glibc
import XCTest

/// The gated child holds none of perfsh's close-on-exec descriptors while it waits for its
/// exec: a copy of an event or BPF link perfsh is releasing in the background keeps that
/// event alive, and the last run's uprobe definitions stayed busy (left in tracefs) when the
/// next run's child was forked during their release. Descriptors handed down without
/// close-on-exec stay for the target.
final class GatedChildDescriptorTests: XCTestCase {
  private func descriptors(of pid: pid_t) -> Set<Int32> {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
    return Set(names.compactMap { Int32($0) })
  }

  func testChildAtTheGateHoldsNoCloseOnExecDescriptorsAndKeepsTheOthers() throws {
    var handedDown: [Int32] = [-1, -1]
    var perfshOwn: [Int32] = [-1, -1]
    XCTAssertEqual(pipe(&handedDown), 0)
    XCTAssertEqual(pipe(&perfshOwn), 0)
    for fd in perfshOwn { XCTAssertEqual(fcntl(fd, F_SETFD, FD_CLOEXEC), 0) }
    defer { for fd in handedDown + perfshOwn { close(fd) } }
    var child = try SuspendedChild.launch(arguments: ["/bin/true"], environment: [], workingDirectory: nil)
    // The child closes them right after the clone; give it a moment to get there.
    var held = descriptors(of: child.pid)
    let deadline = Date().addingTimeInterval(5)
    while held.contains(perfshOwn[0]) || held.contains(perfshOwn[1]), Date() < deadline {
      usleep(1_000)
      held = descriptors(of: child.pid)
    }
    XCTAssertFalse(held.contains(perfshOwn[0]) || held.contains(perfshOwn[1]), "\(held) \(perfshOwn)")
    XCTAssertTrue(held.contains(handedDown[0]) && held.contains(handedDown[1]), "\(held) \(handedDown)")
    XCTAssertTrue(held.isSuperset(of: [0, 1, 2]), "\(held)")
    try child.resume()
    let exit = try child.wait(blocking: true)
    XCTAssertEqual(exit?.termination, .exited(0))
  }
}

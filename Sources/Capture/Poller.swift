import Glibc

/// poll(2) over a fixed list of descriptors, waiting for input.
public struct Poller: Sendable {
  private var fds: [pollfd]

  /// What one wait saw, by index into the descriptor list.
  public struct Ready: Sendable {
    /// Descriptors with input waiting.
    public var readable: [Int] = []
    /// Descriptors whose events ended (POLLHUP/POLLERR).
    public var hungUp: [Int] = []
  }

  /// Creates a value from its parts.
  public init(descriptors: [Int32]) {
    fds = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
  }

  /// Waits up to `timeoutMillis` for input or hang-up on any descriptor still watched.
  /// An interrupted wait (EINTR, e.g. a relayed signal) returns what was seen: nothing.
  public mutating func wait(timeoutMillis: Int32) -> Ready {
    var ready = Ready()
    guard poll(&fds, nfds_t(fds.count), max(0, timeoutMillis)) > 0 else { return ready }
    for i in fds.indices where fds[i].fd >= 0 {
      if fds[i].revents & Int16(POLLIN) != 0 { ready.readable.append(i) }
      if fds[i].revents & Int16(POLLHUP | POLLERR) != 0 { ready.hungUp.append(i) }
    }
    return ready
  }

  /// Stops watching descriptor `index` (poll ignores negative descriptors).
  public mutating func remove(_ index: Int) {
    if fds.indices.contains(index) { fds[index].fd = -1 }
  }
}

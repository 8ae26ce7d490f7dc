import Dispatch

/// Kernel resources a capture is done with, released on a background queue: detaching a BPF
/// program or closing a uprobe's events makes the kernel wait out RCU grace periods (measured
/// 100–150 ms each on a 2-core guest), which would otherwise sit between a target's exit and its
/// session, or between the probe-cost calibration and the target's start. perfsh waits for them
/// all before it exits (`waitForAll`), so tracefs probe definitions are always removed.
public enum BackgroundRelease {
  private static let group = DispatchGroup()

  /// Runs `work` on a background queue, counted until it is done.
  static func run(_ work: @escaping @Sendable () -> Void) {
    DispatchQueue.global(qos: .utility).async(group: group, execute: work)
  }

  /// Waits until every release handed off so far is done.
  public static func waitForAll() { group.wait() }
}

/// A value handed to a background release; its owner no longer touches it. `take` empties the
/// box, so what the release drops is really dropped there (not kept alive by the box).
final class Releasing<Value>: @unchecked Sendable {
  private var value: Value?
  init(value: Value) { self.value = value }
  func take() -> Value? {
    defer { value = nil }
    return value
  }
}

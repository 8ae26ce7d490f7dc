/// Extra perf events that ride along a `CommandCapture` run: opened on the gated child before
/// it execs, drained in the sampler's watch loop, disabled and drained once more at the end.
///
/// The sampler's launch, signal relay, timeout and reaping stay in one place; a companion
/// (e.g. the uprobe tracer) only owns its events and what it makes of their records.
public protocol CaptureCompanion: AnyObject {
  /// Opens the events on `pid` (still held at the exec gate) for each CPU in `cpus`.
  func open(pid: Int32, cpus: [Int32]) throws(CaptureError)
  /// Descriptors to poll for input (ring wake-ups); valid after `open`.
  var descriptors: [Int32] { get }
  /// Copies out and processes what the rings hold; `final` once the target has exited.
  func drain(final: Bool) throws(CaptureError)
  /// Copies out and processes the records up to `cutoff` (the run's one hold-back, shared with
  /// every other source); nil once the target has exited: everything.
  func drain(upTo cutoff: UInt64?) throws(CaptureError)
  /// Stops the events (after the target exited or the run was cut short).
  func disable()
}

extension CaptureCompanion {
  /// A companion that keeps its own hold-back drains everything it has at the end.
  public func drain(upTo cutoff: UInt64?) throws(CaptureError) { try drain(final: cutoff == nil) }
}

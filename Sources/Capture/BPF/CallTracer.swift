/// A companion that traces calls and ends with per-function statistics: the ring path
/// (`UprobeTracer`, every hit a ring record paired in perfsh) or the in-kernel path
/// (`BPFCallTracer`, hits paired and aggregated by BPF programs). Both give one `TraceResult`.
public protocol CallTracer: CaptureCompanion {
  /// The statistics (complete after the final drain).
  func result() -> TraceResult
  /// Closes every event and removes the probes.
  func release()
  /// As `release`, where the tracer can, on a background queue (`BackgroundRelease`).
  func releaseInBackground()
}

extension CallTracer {
  public func releaseInBackground() { release() }
}

extension UprobeTracer: CallTracer {}

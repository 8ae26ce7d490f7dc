import Glibc
import Synchronization

/// Measures the probe cost while a traced run goes on: a thread of perfsh calls the
/// calibration leaf in short bursts (200 calls every 25 ms) with its probes enabled, so the
/// cost is measured under the same load, cache pressure and CPU frequency as the target's
/// calls, not only before them. One warm-up and one measured burst run at `start` so even
/// a run of a few milliseconds has a measurement.
public final class ProbeCalibrationSampler: @unchecked Sendable {
  // Written by the sampling thread only between `start` and the join in `finish`.
  private var insides: [Int64] = []
  private var outsides: [Int64] = []
  private var failure: CaptureError?
  private let stopping = Atomic<Bool>(false)
  private var thread: pthread_t?
  private var tracefs: TracefsUprobes
  private let ids: [UInt64]
  static let burstCalls: UInt64 = 200
  static let pauseMicros: UInt32 = 25_000

  /// Defines the calibration probes (tracefs), returns probed as the traced functions' are.
  public init(returns: ProbeCalibration.ReturnKind = .uretprobe) throws(CaptureError) {
    var fs = try TracefsUprobes()
    do {
      ids = try ProbeCalibration.defineProbes(&fs, returns: returns)
    } catch {
      fs.remove()
      throw error
    }
    tracefs = fs
  }

  /// Measures a first burst (after a warm-up) and starts the sampling thread.
  public func start() throws(CaptureError) {
    _ = try ProbeCalibration.traceRound(tracepoints: ids, calls: ProbeCalibration.callsPerRound)
    let hits = try ProbeCalibration.traceRound(tracepoints: ids, calls: ProbeCalibration.callsPerRound)
    ProbeCalibration.split(hits, insides: &insides, outsides: &outsides)
    var t = pthread_t()
    let context = Unmanaged.passRetained(self).toOpaque()
    let status = pthread_create(
      &t, nil,
      { context in
        guard let context else { return nil }
        Unmanaged<ProbeCalibrationSampler>.fromOpaque(context).takeRetainedValue().sample()
        return nil
      }, context)
    if status == 0 {
      thread = t
    } else {
      Unmanaged<ProbeCalibrationSampler>.fromOpaque(context).release()
    }
  }

  private func sample() {
    while !stopping.load(ordering: .acquiring) {
      do {
        let hits = try ProbeCalibration.traceRound(tracepoints: ids, calls: Self.burstCalls)
        ProbeCalibration.split(hits, insides: &insides, outsides: &outsides)
      } catch {
        failure = error
        return
      }
      usleep(Self.pauseMicros)
    }
  }

  /// Stops the thread, removes the probes and returns the cost measured over the run.
  public func finish() throws(CaptureError) -> ProbeCost {
    stopping.store(true, ordering: .releasing)
    if let thread { pthread_join(thread, nil) }
    thread = nil
    tracefs.remove()
    if let failure, insides.count < 100 { throw failure }
    return try ProbeCalibration.cost(insides: insides, outsides: outsides)
  }

  deinit {
    stopping.store(true, ordering: .releasing)
    if let thread { pthread_join(thread, nil) }
    tracefs.remove()
  }
}

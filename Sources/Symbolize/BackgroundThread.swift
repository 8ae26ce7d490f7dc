import Dispatch
import Glibc

/// Runs speculative work (symbol prefetch) on a thread of its own under `SCHED_IDLE`, so it
/// only ever takes a CPU nobody else wants: while the target runs, it must not preempt the
/// target's threads and stretch the elapsed time perfsh reports. Once the target has exited
/// the CPUs are idle and the work runs at full speed.
enum BackgroundThread {
  /// Linux's SCHED_IDLE policy (not exported by the Glibc module).
  static let idlePolicy: Int32 = 5

  private final class Body: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
  }

  /// Starts `body` on a new detached idle-priority thread (on a Dispatch queue when no thread
  /// can be created: the work still runs, at normal priority).
  static func startIdle(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(Body(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(
      &thread, nil,
      { raw in
        guard let raw else { return nil }
        let body = Unmanaged<Body>.fromOpaque(raw).takeRetainedValue()
        var parameters = sched_param(sched_priority: 0)
        _ = sched_setscheduler(0, BackgroundThread.idlePolicy, &parameters)  // best effort
        body.run()
        return nil
      }, context)
    if status == 0 {
      pthread_detach(thread)
    } else {
      let body = Unmanaged<Body>.fromOpaque(context).takeRetainedValue()
      DispatchQueue.global().async { body.run() }
    }
  }
}

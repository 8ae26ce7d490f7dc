import Dispatch
import Glibc

/// Runs speculative work (symbol prefetch) on a thread of its own under `SCHED_IDLE`, so it
/// only ever takes a CPU nobody else wants: while the target runs, it must not preempt the
/// target's threads and stretch the elapsed time perfsh reports. Whoever then waits for the
/// work calls `IdleWork.urge` first: on a machine kept busy by other programs an idle-priority
/// thread may not get a CPU for a long time, and the session would wait for it.
enum BackgroundThread {
  /// Linux's SCHED_IDLE policy (not exported by the Glibc module).
  static let idlePolicy: Int32 = 5
  /// Linux's SCHED_OTHER (normal) policy.
  static let normalPolicy: Int32 = 0

  private final class Body: Sendable {
    let run: @Sendable () -> Void
    let work: IdleWork
    init(_ run: @escaping @Sendable () -> Void, work: IdleWork) {
      self.run = run
      self.work = work
    }
  }

  /// Starts `body` on a new detached idle-priority thread (on a Dispatch queue when no thread
  /// can be created: the work still runs, at normal priority).
  @discardableResult
  static func startIdle(_ body: @escaping @Sendable () -> Void) -> IdleWork {
    let work = IdleWork()
    let context = Unmanaged.passRetained(Body(body, work: work)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(
      &thread, nil,
      { raw in
        guard let raw else { return nil }
        let body = Unmanaged<Body>.fromOpaque(raw).takeRetainedValue()
        body.work.begin()
        body.run()
        body.work.end()
        return nil
      }, context)
    if status == 0 {
      pthread_detach(thread)
    } else {
      let body = Unmanaged<Body>.fromOpaque(context).takeRetainedValue()
      DispatchQueue.global().async { body.run() }
    }
    return work
  }
}

/// One piece of work `BackgroundThread.startIdle` runs: its thread's priority, which `urge`
/// raises to normal once someone waits for the result.
final class IdleWork: @unchecked Sendable {
  // Guarded by `lock`. `thread` is set while the worker runs (never after `end`: a detached
  // thread's handle is not valid once it has exited).
  private var lock = pthread_mutex_t()
  private var thread: pthread_t?
  private var urgent = false

  init() { pthread_mutex_init(&lock, nil) }

  /// On the worker, first: idle priority, unless the work is already wanted.
  fileprivate func begin() {
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    thread = pthread_self()
    if !urgent { Self.setPolicy(pthread_self(), BackgroundThread.idlePolicy) }
  }

  /// On the worker, last.
  fileprivate func end() {
    pthread_mutex_lock(&lock)
    thread = nil
    pthread_mutex_unlock(&lock)
  }

  /// Runs the rest of the work at normal priority (best effort: without CAP_SYS_NICE or a
  /// raised RLIMIT_NICE the kernel refuses to lift SCHED_IDLE, and the work stays idle).
  func urge() {
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    guard !urgent else { return }
    urgent = true
    if let thread { Self.setPolicy(thread, BackgroundThread.normalPolicy) }
  }

  private static func setPolicy(_ thread: pthread_t, _ policy: Int32) {
    var parameters = sched_param(sched_priority: 0)
    _ = pthread_setschedparam(thread, policy, &parameters)
  }
}

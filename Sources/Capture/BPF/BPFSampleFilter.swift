import BPFObjects
import CBPF
import Dispatch
import Glibc

/// The in-kernel filter of the per-CPU sampler: oncpu.bpf's `keep_target` on each CPU's
/// cpu-clock event keeps a tick's sample only when it hit a thread of the target's process
/// tree (seeded at the exec gate, armed at its exec, grown by fork), so a per-CPU event —
/// never switched with the target's threads — yields exactly the target's samples.
public final class BPFSampleFilter {
  private var object: BPFObject?

  /// Timer ticks the filter saw over the run: kept (a target thread was on the CPU) and dropped.
  public struct Counts: Sendable, Equatable {
    public var kept: UInt64 = 0
    public var dropped: UInt64 = 0
  }

  public init() {}

  deinit { object?.close() }

  /// Loads the programs, seeds `pid` (held at the exec gate: sampled from its exec on, with
  /// every process it forks) and attaches the fork and exec programs; `attach(toEvent:)` then
  /// puts the filter on each sampling event.
  public func open(pid: Int32) throws(CaptureError) {
    let object: BPFObject
    if let preloaded = FilterPreload.shared.take() {
      object = preloaded
    } else {
      object = try Self.loadObject()
    }
    self.object = object
    try BPFTargetSet.seed(object, pid: pid, state: BPFTargetSet.seeded)
    try object.attach("on_fork", rawTracepoint: "sched_process_fork")
    try object.attach("on_exec", rawTracepoint: "sched_process_exec")
  }

  /// Checks BPF support and loads the filter's programs on another thread, ahead of the first
  /// `open(pid:)`, which takes them: a one-shot `perfsh run` calls it as it starts, so the ~3 ms
  /// of the selftest, the kernel BTF lookup and the verifier overlap its own start-up instead of
  /// holding the target at the exec gate. Once per process; a failure is left for `open` to meet.
  public static func preload() {
    FilterPreload.shared.start { () throws(CaptureError) -> BPFObject in
      if case .unavailable(let why) = BPFSupport.availability {
        throw .perCPUSamplerUnavailable(reason: "BPF is not available (\(why))")
      }
      return try loadObject()
    }
  }

  /// oncpu.bpf opened and loaded, with no target yet.
  private static func loadObject() throws(CaptureError) -> BPFObject {
    let object = try BPFObject(bytes: BPFObjects.oncpu, name: "perfsh_oncpu")
    try object.setConstants(try KernelBTF.taskPIDOffset())
    try BPFTargetSet.size(object)
    try object.load()
    return object
  }

  /// Filters the samples of the open perf event `descriptor` (a per-CPU cpu-clock event).
  public func attach(toEvent descriptor: Int32) throws(CaptureError) {
    guard let object else { return }
    try object.attach("keep_target", toPerfEvent: descriptor)
  }

  /// The descriptor of the target set, for offcpu.bpf to share (nil before `open`).
  public var targetsDescriptor: Int32? { (try? object?.map("targets"))?.descriptor }

  /// What the filter kept and dropped so far.
  public func counts() -> Counts {
    guard let counters = try? object?.map("counters") else { return Counts() }
    func total(_ slot: Int32) -> UInt64 {
      ((try? counters.perCPUValues(at: UInt32(slot), as: UInt64.self)) ?? []).reduce(0, &+)
    }
    return Counts(kept: total(PERFSH_ONCPU_KEPT), dropped: total(PERFSH_ONCPU_DROPPED))
  }

  /// Detaches the programs and frees the maps.
  public func close() {
    object?.close()
    object = nil
  }

  /// Detaches the filter on a background queue (see `BPFObject.closeInBackground`): the
  /// sampling events are disabled by then, so nothing depends on it any more.
  public func closeInBackground() {
    object?.closeInBackground()
    object = nil
  }
}

/// The filter object `BPFSampleFilter.preload` loads, handed over once to the first `open`.
private final class FilterPreload: @unchecked Sendable {
  static let shared = FilterPreload()

  // Guarded by `lock`; `loaded` is signalled once the load has ended either way.
  private var lock = pthread_mutex_t()
  private var started = false
  private var object: BPFObject?
  private let loaded = DispatchSemaphore(value: 0)

  private init() { pthread_mutex_init(&lock, nil) }

  /// Runs `load` on a background queue, unless a preload was started before.
  func start(_ load: @escaping @Sendable () throws(CaptureError) -> BPFObject) {
    pthread_mutex_lock(&lock)
    let first = !started
    started = true
    pthread_mutex_unlock(&lock)
    guard first else { return }
    DispatchQueue.global(qos: .userInitiated).async {
      let object = try? load()
      pthread_mutex_lock(&self.lock)
      self.object = object
      pthread_mutex_unlock(&self.lock)
      self.loaded.signal()
    }
  }

  /// The preloaded object (waiting for the load to end), once; nil when none was started or
  /// it failed (the caller loads its own and meets the error itself).
  func take() -> BPFObject? {
    pthread_mutex_lock(&lock)
    let wasStarted = started
    pthread_mutex_unlock(&lock)
    guard wasStarted else { return nil }
    loaded.wait()
    loaded.signal()  // a later take finds it at once (and nil)
    pthread_mutex_lock(&lock)
    defer {
      object = nil
      pthread_mutex_unlock(&lock)
    }
    return object
  }
}

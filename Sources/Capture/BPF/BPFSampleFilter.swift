import BPFObjects
import CBPF

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
    let object = try BPFObject(bytes: BPFObjects.oncpu, name: "perfsh_oncpu")
    try object.setConstants(try KernelBTF.taskPIDOffset())
    try BPFTargetSet.size(object)
    try object.load()
    self.object = object
    try BPFTargetSet.seed(object, pid: pid, state: BPFTargetSet.seeded)
    try object.attach("on_fork", rawTracepoint: "sched_process_fork")
    try object.attach("on_exec", rawTracepoint: "sched_process_exec")
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

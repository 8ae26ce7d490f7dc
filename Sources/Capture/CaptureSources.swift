/// The event sources of one capture and the one drain step shared by `CommandCapture` and
/// `ProcessAttacher`: the cpu-clock sampler's rings (merged by time into the converter), a
/// companion (the uprobe tracer), the off-CPU switch source and the allocation ring, all drained
/// with one cutoff per round. A class so the drain closures can reach the tracker and the
/// allocation ring while the merger is being emptied.
final class CaptureSources {
  /// The sampler's per-CPU rings (none when sampling is off).
  let sampler: PerCPURings
  private var merger: RecordMerger<PerfRecordParser>
  let companion: (any CaptureCompanion)?
  private(set) var switches: ContextSwitchSource?
  let allocation: AllocationCapture?
  /// The processes forked under the target, from the sampler's FORK and EXIT records.
  private(set) var tracker = DescendantTracker()
  /// Keeps the target's side-band when the sampler's events see every task's (per-CPU sampler).
  private(set) var targetFilter: TargetProcessFilter?

  /// The sources of a capture; the sampler's records are parsed with `format`; `targetFilter`
  /// drops other processes' side-band (needed when the sampler's events are for every task).
  init(
    sampler: PerCPURings, format: SampleFormat, companion: (any CaptureCompanion)? = nil,
    switches: ContextSwitchSource? = nil, allocation: AllocationCapture? = nil, targetFilter: TargetProcessFilter? = nil
  ) {
    self.sampler = sampler
    self.targetFilter = targetFilter
    self.merger = RecordMerger(rings: sampler.count, parser: PerfRecordParser(format: format))
    self.companion = companion
    self.switches = switches
    self.allocation = allocation
  }

  /// The descriptors to poll: the sampler's rings first, then (from `laterStart` on in the
  /// returned list, after `extra`) the companion's and the switch source's.
  func descriptors(inserting extra: [Int32]) -> (descriptors: [Int32], laterStart: Int) {
    let first = sampler.descriptors + extra
    return (first + (companion?.descriptors ?? []) + (switches?.descriptors ?? []), first.count)
  }

  /// One round: copies every ring and hands the records up to `cutoff` (everything when nil,
  /// at the end) to the converter, sampler first: its mappings up to the cutoff are known
  /// before allocation and switch stacks use them.
  func drain(upTo cutoff: UInt64?, into converter: inout ProfileConverter) throws(CaptureError) {
    sampler.drain(into: &merger)
    try companion?.drain(upTo: cutoff)
    merger.emit(upTo: cutoff ?? .max) {
      if targetFilter?.keep($0) == false { return }
      tracker.note($0)
      allocation?.before($0, into: &converter)
      converter.consume($0)
    }
    allocation?.drain(upTo: cutoff, into: &converter)
    try switches?.drain(upTo: cutoff, into: &converter)
  }

  /// The cutoff of a round that starts now: records newer than the hold-back stay for the next.
  static func cutoffNow() -> UInt64 { SystemInfo.monotonicNanos() &- recordHoldBackNanos }

  /// Stops every source's events; what they wrote stays to be drained.
  func disable() {
    sampler.disable()
    companion?.disable()
    switches?.disable()
  }

  /// Records no decoder could parse, over the sampler and the switch source (the companion
  /// reports its own).
  var unparsedRecords: UInt64 { merger.unparsedRecords &+ (switches?.unparsedRecords ?? 0) }
}

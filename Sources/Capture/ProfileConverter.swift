import ProfileModel

/// What the converter counted while turning records into a profile.
public struct ConverterStats: Sendable, Equatable {
  /// SAMPLE records seen (before aggregation).
  public var samples = 0
  /// Records the kernel reported lost (sum of PERF_RECORD_LOST counts).
  public var lostRecords: UInt64 = 0
  /// THROTTLE records: times the kernel lowered the sampling rate.
  public var throttles = 0
  /// Time (CLOCK_MONOTONIC ns) of the first exec seen, i.e. when the target started.
  public var firstExecTime: UInt64?
  /// Time of the last task exit seen.
  public var lastExitTime: UInt64?
  /// Records of types the converter does not use.
  public var otherRecords = 0
  /// SAMPLE records left out because their period would have taken the CPU column past the
  /// model's value rule (`ValueLimit`): only a corrupt or hostile record stream has them.
  public var implausibleSamples = 0
}

/// Converts perf records into a `Profile`, the same way for live rings and replayed bytes.
///
/// It tracks each process's executable mappings (MMAP/MMAP2, copied on FORK, reset on
/// exec) and thread names (COMM), turns call chains into address-only locations with
/// mappings (the symbolizer fills their lines later) and aggregates identical
/// (stack, labels) samples. Locations use the runtime address; non-leaf frames hold the
/// return address minus one, as perf does, so they fall inside the calling instruction.
public struct ProfileConverter {
  /// Optional unwinder for samples that carry user-stack copies.
  public var unwinder: (any UserStackUnwinder)?
  /// Counts gathered so far.
  public private(set) var stats = ConverterStats()
  /// |period| summed over the samples kept, held below the model's value rule.
  private var periodSum = ValueLimit.Sum()
  /// Objects (mapped files and pseudo objects) regions refer to.
  public private(set) var objects: [MappedObject] = []

  // Internal (not private) where ProfileConverter+Allocations.swift shares them.
  var profile: Profile
  private var objectIndex: [MappedObject: Int] = [:]
  private var objectMappings: [MappingID?] = []
  private var kernelObject: Int?
  var spaces: [Int32: AddressSpace] = [:]
  private var threadNames: [Int32: StringID] = [:]
  private var locationCache: [LocationKey: LocationID] = [:]
  private var labelCache: [LabelKey: LabelSetID] = [:]
  var sampleIndex: [UInt64: Int] = [:]
  private var frameScratch: [LocationID] = []
  private var userScratch: [UInt64] = []
  /// Marker frames of stacks deeper than `StackDepthLimit.maxFrames` (a raised
  /// `kernel.perf_event_max_stack` or a DWARF unwind can exceed it).
  private var truncationMarkers = TruncationMarkers()
  /// Per thread, the root location of stacks deeper than their copy (`[truncated] NAME`).
  private var truncatedRoots: [Int64: LocationID] = [:]
  /// Heap columns and live blocks of `run --alloc`; nil without it.
  var allocationState: AllocationState?
  /// Pending switch-outs and totals of `run --off-cpu`; nil without it.
  var offCPUState: OffCPUState?
  /// When the CPU samples' self time was spent, per leaf location (the heatmap sparkline).
  private var timeline = SampleTimelineRecorder()
  private let pidKey: StringID
  private let tidKey: StringID
  private let threadKey: StringID

  /// A converter for samples taken at `frequency` Hz (the nominal period is 1e9 / frequency ns).
  /// With `allocationRate` (mean bytes between allocation samples) the profile also gets Go's
  /// heap columns (alloc_objects, alloc_space, inuse_objects, inuse_space), zero in CPU samples.
  /// With `offCPU` it also gets `offcpu` and `wall` (cpu + offcpu) nanosecond columns, fed by
  /// `consume(switchEvent:)`; `cpu` stays the default column.
  public init(frequency: Int, allocationRate: Int64? = nil, offCPU: Bool = false) {
    var types = [ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds")]
    if allocationRate != nil { types += AllocationState.sampleTypes }
    if offCPU {
      offCPUState = OffCPUState(firstColumn: types.count)
      types += OffCPUState.sampleTypes
    }
    var p = Profile(sampleTypes: types)
    if offCPU { p.defaultSampleType = 1 }
    allocationState = allocationRate.map { AllocationState(rate: $0) }
    p.periodType = ValueType(type: "cpu", unit: "nanoseconds")
    p.period = Int64(1_000_000_000 / max(1, frequency))
    pidKey = p.strings.intern("pid")
    tidKey = p.strings.intern("tid")
    threadKey = p.strings.intern("thread")
    profile = p
  }

  /// Applies one record.
  public mutating func consume(_ record: PerfRecord) {
    switch record {
    case .sample(let s): addSample(s)
    case .mmap(let m): addMapping(m)
    case .comm(let c):
      if c.isExec {
        if c.pid == c.tid { spaces[c.pid] = AddressSpace() }
        if stats.firstExecTime == nil {
          stats.firstExecTime = c.sampleID.time
          if let t = c.sampleID.time { timeline.start(at: t) }
          offCPUState?.summary.mainThread = c.tid
        }
      }
      threadNames[c.tid] = profile.strings.intern(c.name)
    case .fork(let t):
      if t.pid != t.parentPID { spaces[t.pid] = spaces[t.parentPID] ?? AddressSpace() }
      if threadNames[t.tid] == nil, let name = threadNames[t.parentTID] { threadNames[t.tid] = name }
    case .exit(let t):
      stats.lastExitTime = max(stats.lastExitTime ?? 0, t.time)
    case .lost(let l):
      stats.lostRecords &+= l.count
    case .throttle(let t):
      if t.isThrottle { stats.throttles += 1 }
    case .contextSwitch:
      stats.otherRecords += 1  // switch records arrive through consume(switchEvent:)
    case .other:
      stats.otherRecords += 1
    }
  }

  /// Parses and applies every record in `bytes` (whole records back to back).
  public mutating func consume(records bytes: UnsafeRawBufferPointer, parser: PerfRecordParser) throws(CaptureError) {
    var offset = 0
    while let size = try PerfRecordParser.recordSize(in: bytes, at: offset) {
      guard offset + size <= bytes.count else { throw .badRecordSize(offset: offset, size: size) }
      consume(try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)])))
      offset += size
    }
  }

  /// Notes of the unwinder (if any) for `RunInfo.notes`.
  public var unwinderNotes: [String] { unwinder?.notes() ?? [] }

  /// The profile built so far, with `run` and timing filled in.
  public func makeProfile(run: RunInfo, timeNanos: Int64 = 0, durationNanos: Int64 = 0) -> Profile {
    var p = profile
    p.run = run
    if stats.implausibleSamples > 0 {
      p.run.notes.append(
        "\(stats.implausibleSamples) samples left out: their periods would add up past \(ValueLimit.columnMagnitudeText) ns (a corrupt record stream)"
      )
    }
    if let allocationState { allocationState.finish(&p, start: stats.firstExecTime) }
    if let offCPUState { offCPUState.finish(&p) }
    if !timeline.isEmpty {
      let end = stats.lastExitTime.flatMap { end in timeline.startNanos.map { end > $0 ? end - $0 : 0 } }
      p.timeline = timeline.finish(spanNanos: end.map { Int64(clamping: $0) })
    }
    p.timeNanos = timeNanos
    p.durationNanos = durationNanos
    return p
  }

  // MARK: Records

  private mutating func addMapping(_ m: MmapRecord) {
    guard m.isExecutable, m.pid >= 0, m.length > 0 else { return }
    // Anonymous code (JIT output) is named by the process's perf map, where JITs list their
    // functions by absolute address; its page offset (the kernel reports addr >> 12 there)
    // means nothing, so it is 0.
    let anonymous = MappedObject.isAnonymous(m.filename)
    let object = MappedObject(
      filename: anonymous ? "/tmp/perf-\(m.pid).map" : m.filename, start: m.start, limit: m.start &+ m.length,
      pageOffset: anonymous ? 0 : m.pageOffset, buildID: m.buildID ?? "")
    let index = intern(object)
    spaces[m.pid, default: AddressSpace()].map(start: object.start, end: object.limit, object: index)
  }

  private mutating func addSample(_ s: PerfSample) {
    stats.samples += 1
    let period = Int64(clamping: s.period ?? UInt64(profile.period))
    // The kernel's periods are nanoseconds of one sampling interval; a stream whose periods
    // would sum past 2^62 is corrupt, and a profile must never break the value rule.
    var sum = periodSum
    guard sum.add(period) else {
      stats.implausibleSamples += 1
      return
    }
    periodSum = sum
    let (node, labels) = stackAndLabels(s)
    let index = row(stack: node, labels: labels)
    profile.samples.add(1, toSample: index, column: 0)
    profile.samples.add(period, toSample: index, column: 1)
    if node != .root, let time = s.time {
      timeline.record(period, location: profile.stacks.location(of: node), time: time)
    }
  }

  /// The sample row of (`stack`, `labels`), appended with zero values on first use: the one
  /// place CPU samples, off-CPU waits and allocations find the row they add to.
  mutating func row(stack node: StackID, labels: LabelSetID) -> Int {
    let key = UInt64(UInt32(bitPattern: node.raw)) << 32 | UInt64(UInt32(bitPattern: labels.raw))
    if let index = sampleIndex[key] { return index }
    let index = profile.samples.count
    sampleIndex[key] = index
    profile.samples.append(stack: node, values: repeatElement(0, count: profile.samples.width), labels: labels)
    return index
  }

  /// The stack node and label set of a sample: its call chain (or unwound user stack) and its
  /// pid, tid and thread name. Shared by CPU and off-CPU samples.
  mutating func stackAndLabels(_ s: PerfSample) -> (StackID, LabelSetID) {
    let pid = s.pid ?? -1
    let tid = s.tid ?? pid
    let space = spaces[pid] ?? AddressSpace()
    frameScratch.removeAll(keepingCapacity: true)
    var isLeaf = true

    // Kernel part (and, without an unwinder, the user part) from the call chain.
    var unwoundUser = false
    if var unwinder, s.userStack != nil {
      userScratch.removeAll(keepingCapacity: true)
      unwoundUser = unwinder.unwind(s, pid: pid, addressSpace: space, objects: objects, into: &userScratch)
      self.unwinder = unwinder
    }
    if let chain = s.callchain, !chain.isEmpty {
      var inKernel = s.misc & PerfRecordMisc.cpumodeMask == PerfRecordMisc.kernel
      for word in chain {
        if word >= PerfContext.max {
          inKernel = word == PerfContext.kernel || word == PerfContext.guestKernel || word == PerfContext.hypervisor
          // The first user word is where the thread was interrupted, not a return address
          // (at a uprobe it is the probed function's first byte: minus one names the function before).
          if word == PerfContext.user { isLeaf = true }
          continue
        }
        if !inKernel && unwoundUser { break }
        let address = isLeaf ? word : word &- 1
        isLeaf = false
        frameScratch.append(location(address: address, kernel: inKernel, space: space))
      }
    } else if let ip = s.ip, !unwoundUser {
      let kernel = s.misc & PerfRecordMisc.cpumodeMask == PerfRecordMisc.kernel
      frameScratch.append(location(address: ip, kernel: kernel, space: space))
      isLeaf = false
    }
    if unwoundUser {
      isLeaf = true  // the unwinder's first frame is the interrupted instruction, below kernel frames too
      for word in userScratch {
        if word == UnwoundFrame.truncatedFrame {
          frameScratch.append(truncatedRoot(tid: tid))
          continue
        }
        // The unwinder's marker for a frame it could not unwind becomes an unmapped 0: `[unknown]`.
        let address = word == UnwoundFrame.unknownFrame ? 0 : isLeaf ? word : word &- 1
        isLeaf = false
        frameScratch.append(location(address: address, kernel: false, space: space))
      }
    }

    let dropped = StackDepthLimit.droppedFrames(depth: frameScratch.count)
    if dropped > 0 {
      frameScratch.removeSubrange((frameScratch.count - dropped)...)
      frameScratch.append(truncationMarkers.location(dropped: dropped, in: &profile))
    }
    var node = StackID.root
    for loc in frameScratch.reversed() { node = profile.stacks.child(of: node, location: loc) }
    return (node, labelSet(pid: pid, tid: tid))
  }

  /// The thread name of samples the kernel gave no tid (-1): a thread at the end of its exit,
  /// after it released its ids (its pid too when it was the process's last thread).
  public static let exitedThreadName = "[exiting thread, ids released]"

  /// The one root of `tid`'s stacks that were deeper than their copy, named for the thread.
  private mutating func truncatedRoot(tid: Int32) -> LocationID {
    // Keyed by thread and its current name: an exec renames the thread's later stacks.
    let key = Int64(tid) << 32 | Int64(UInt32(bitPattern: threadNames[tid]?.raw ?? -1))
    if let id = truncatedRoots[key] { return id }
    let thread = threadNames[tid].map { profile.strings[$0] } ?? "tid \(tid)"
    let name = profile.strings.intern("[truncated] \(thread)")
    let function = FunctionID(profile.functions.count)
    profile.functions.append(Function(name: name, systemName: name, filename: .empty))
    let id = LocationID(profile.locations.count)
    profile.locations.append(Location(lines: [Line(function: function)]))
    truncatedRoots[key] = id
    return id
  }

  // MARK: Interning

  private mutating func intern(_ object: MappedObject) -> Int {
    if let i = objectIndex[object] { return i }
    let i = objects.count
    objects.append(object)
    objectMappings.append(nil)
    objectIndex[object] = i
    return i
  }

  private mutating func mappingID(object: Int) -> MappingID {
    if let id = objectMappings[object] { return id }
    let o = objects[object]
    let m = Mapping(
      start: o.start, limit: o.limit, fileOffset: o.pageOffset, filename: profile.strings.intern(o.filename),
      buildID: profile.strings.intern(o.buildID))
    let id = MappingID(profile.mappings.count)
    profile.mappings.append(m)
    objectMappings[object] = id
    return id
  }

  mutating func location(address: UInt64, kernel: Bool, space: AddressSpace) -> LocationID {
    let object: Int?
    if kernel {
      if kernelObject == nil { kernelObject = intern(.kernel) }
      object = kernelObject
    } else {
      object = space.region(containing: address)?.object
    }
    let key = LocationKey(object: Int32(truncatingIfNeeded: object ?? -1), address: address)
    if let id = locationCache[key] { return id }
    let mapping = object.map { mappingID(object: $0) }
    let id = LocationID(profile.locations.count)
    profile.locations.append(Location(address: address, mapping: mapping, lines: []))
    locationCache[key] = id
    return id
  }

  mutating func labelSet(pid: Int32, tid: Int32, runnable: Bool = false) -> LabelSetID {
    // The kernel writes -1 for an id a thread sampled at the very end of its exit has already
    // released (a thread reaps itself in do_exit): its tid first, while the process's pid stays
    // while other threads live, and both for the last one. Which thread it was is unknown, so
    // no tid label, only a name saying so; a pid still known stays.
    let exited = tid == -1
    let name = exited ? profile.strings.intern(Self.exitedThreadName) : threadNames[tid]
    let key = LabelKey(pid: pid, tid: tid, name: name?.raw ?? -1, runnable: runnable)
    if let id = labelCache[key] { return id }
    var labels: [Label] = []
    if pid != -1 { labels.append(Label(key: pidKey, number: Int64(pid))) }
    if !exited { labels.append(Label(key: tidKey, number: Int64(tid))) }
    if let name { labels.append(Label(key: threadKey, string: name)) }
    // Off-CPU time of a preempted (still runnable) thread is told apart from blocked time.
    if runnable {
      labels.append(
        Label(key: profile.strings.intern(OffCPUState.stateKey), string: profile.strings.intern(OffCPUState.runnable)))
    }
    let id = profile.labelSets.intern(labels)
    labelCache[key] = id
    return id
  }
}

private struct LocationKey: Hashable {
  var object: Int32
  var address: UInt64
}

private struct LabelKey: Hashable {
  var pid: Int32
  var tid: Int32
  var name: Int32
  var runnable: Bool
}

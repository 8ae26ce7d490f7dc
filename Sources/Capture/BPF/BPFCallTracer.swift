import BPFObjects
import CBPF
import ProfileModel

/// Traces calls with BPF programs on the uprobes instead of ring records (trace.bpf): the
/// kernel pairs entries and returns per thread, measures CPU time (wall − switched-out time,
/// from sched:sched_switch) and wall time per call, and keeps per-function sums, maxima and
/// self-time histograms, so a hit costs the trap and a short program and perfsh reads a few
/// maps at the end. The result is the ring path's `TraceResult`: same counts, same clocks,
/// same probe-cost correction (sums as the ring path takes it out; Max and P95 per call in
/// the kernel, exact also when calls make different numbers of traced callees).
///
/// Native code only (entry probe + uretprobe per function): Go keeps the ring path.
public final class BPFCallTracer: CallTracer {
  private let probes: [TraceProbe]
  private let events: BPFProbeEvents
  private var object: BPFObject?
  private var probeCost: ProbeCost
  private let calibrate: Bool
  private var calibrationProblem: String?
  private let logCapacity: Int

  /// Calls kept one by one at most (for `export chrome`): 40 bytes each in a BPF array.
  public static let maximumLogCapacity = 1 << 17

  /// Most functions traced in the kernel: each has four 8 KiB histograms per CPU.
  public static let maximumFunctions = 256

  /// Why `probes` cannot be traced on this path, nil when they can.
  public static func unsupportedReason(_ probes: [TraceProbe]) -> String? {
    if probes.count > maximumFunctions {
      return "more than \(maximumFunctions) functions (the kernel's histograms would take 32 KiB each per CPU)"
    }
    if probes.contains(where: \.readsGoroutine) { return "Go code pairs calls per goroutine (ring path)" }
    if probes.contains(where: { !$0.probesReturns || !$0.returnOffsets.isEmpty || !$0.exitOffsets.isEmpty }) {
      return "some functions have no return probe"
    }
    return nil
  }

  /// A tracer for `probes` (each with an entry probe and a uretprobe). `probeCost` is taken
  /// out of every call; with `calibrate` the BPF path's own cost is measured when the events
  /// open (before the target starts) instead. The first `callLogCapacity` calls (at most
  /// `maximumLogCapacity`) are kept one by one.
  public init(
    probes: [TraceProbe], probeCost: ProbeCost = .zero, calibrate: Bool = false,
    callLogCapacity: Int = CallEventLog.defaultCapacity
  ) throws(CaptureError) {
    if let reason = Self.unsupportedReason(probes) {
      throw .bpf(operation: "tracing in the kernel: \(reason)", errno: .notSupported, log: "")
    }
    self.probes = probes
    self.events = BPFProbeEvents(sites: Self.sites(for: probes.map { ($0.path, $0.fileOffset) }))
    self.probeCost = probeCost
    self.calibrate = calibrate
    self.logCapacity = min(max(0, callLogCapacity), Self.maximumLogCapacity)
  }

  /// The sites of functions at `locations`: entry then return, so cookie = 2 × function + return.
  static func sites(for locations: [(path: String, offset: UInt64)]) -> [BPFProbeEvents.Site] {
    locations.flatMap {
      [
        BPFProbeEvents.Site(path: $0.path, offset: $0.offset, isReturn: false),
        BPFProbeEvents.Site(path: $0.path, offset: $0.offset, isReturn: true),
      ]
    }
  }

  /// trace.bpf sized for `functions` and a call log, with `cost` taken out per call; loaded.
  static func loadObject(functions: Int, cost: ProbeCost, logCapacity: Int) throws(CaptureError) -> BPFObject {
    let object = try BPFObject(bytes: BPFObjects.trace, name: "perfsh_trace")
    let config = perfsh_trace_config(
      inside_ns: UInt64(cost.insideNanos), outside_ns: UInt64(cost.outsideNanos), functions: UInt32(functions),
      log_capacity: UInt32(logCapacity), task_pid_offset: try KernelBTF.taskPIDOffset(), reserved: 0,
      steal: KernelBTF.stealClockLayout().bpfLayout)
    try object.setConstants(config)
    try object.setEntries(max(1, functions), map: "stats")
    try object.setEntries(max(1, functions) * Int(PERFSH_TRACE_HISTOGRAMS), map: "histograms")
    try object.setEntries(max(1, logCapacity), map: "call_log")
    try object.load()
    return object
  }

  public func open(pid: Int32, cpus: [Int32]) throws(CaptureError) {
    // An earlier run's probes still being released: on the same binary they would share the
    // kernel's uprobe with this run's, and every hit would run both (traced CPU per call 7–17 %
    // high, measured). Waited for before the calibration, whose own release is not.
    BackgroundRelease.waitForAll()
    if calibrate {
      do {
        probeCost = try BPFProbeCalibration.measure()
      } catch {
        calibrationProblem = error.description
      }
    }
    let object = try Self.loadObject(functions: probes.count, cost: probeCost, logCapacity: logCapacity)
    self.object = object
    try object.attach("on_switch", rawTracepoint: "sched_switch")
    try events.open(pid: pid, object: object, program: "trace_hit")
  }

  /// Nothing to poll: the kernel keeps the numbers.
  public var descriptors: [Int32] { [] }
  public func drain(final: Bool) throws(CaptureError) {}
  public func disable() { events.disable() }

  /// Why the maps could not be read by the last `result()`, when they could not.
  public private(set) var readProblem: String?

  /// The statistics read from the maps (complete once the target is gone); when a map
  /// cannot be read the numbers are zero and `readProblem` says why.
  public func result() -> TraceResult {
    do {
      readProblem = nil
      return try read()
    } catch {
      readProblem = "reading the kernel's trace maps failed: \(error.description)"
      return TraceResult(
        statistics: probes.map { _ in
          CallStatistics(calls: 0, selfNanos: 0, totalNanos: 0, maxSelfNanos: 0, p95SelfNanos: nil)
        },
        lostRecords: 0, unmatchedReturns: 0, hits: 0, events: 0, probeCost: probeCost,
        calibrationProblem: calibrationProblem)
    }
  }

  private func read() throws(CaptureError) -> TraceResult {
    guard let object else {
      return TraceResult(
        statistics: [], lostRecords: 0, unmatchedReturns: 0, hits: 0, events: 0, probeCost: probeCost,
        calibrationProblem: calibrationProblem)
    }
    let statsMap = try object.map("stats")
    let histograms = try object.map("histograms")
    var open = try openCalls(object.map("threads"))
    var statistics: [CallStatistics] = []
    var hits: UInt64 = 0
    var unmatchedReturns: Int64 = 0
    var completed: Int64 = 0
    var stolen: Int64 = 0
    for f in probes.indices {
      let s = Self.summed(try statsMap.perCPUValues(at: UInt32(f), as: perfsh_trace_stats.self))
      hits &+= s.hits
      stolen &+= Int64(clamping: s.stolen)
      unmatchedReturns &+= Int64(s.unmatched_returns)
      completed &+= Int64(s.calls)
      var h: [BPFHistogram] = []
      if s.calls > 0 {
        for which in 0..<Int(PERFSH_TRACE_HISTOGRAMS) {
          let key = UInt32(f * Int(PERFSH_TRACE_HISTOGRAMS) + which)
          h.append(BPFHistogram(perCPU: try histograms.perCPUWords(at: key, words: BPFHistogram.bucketCount)))
        }
      }
      statistics.append(Self.statistics(of: s, histograms: h, open: open[f, default: 0], cost: probeCost))
    }
    open.removeAll()
    var result = TraceResult(
      statistics: statistics, lostRecords: 0, unmatchedReturns: unmatchedReturns, hits: hits,
      events: probes.count * 4, probeCost: probeCost, calibrationProblem: calibrationProblem,
      callLog: logCapacity > 0 ? try callLog(object.map("call_log"), completed: completed) : nil)
    result.stolenNanos = stolen
    return result
  }

  /// Per CPU, the steal clock (ns) the programs last read there: 0 where they read none or the
  /// kernel has no steal clock. For checking the clock against the kernel's own steal time.
  public func stealClockReadings() throws(CaptureError) -> [UInt64] {
    guard let object else { return [] }
    return try object.map("steal_area").perCPUValues(at: UInt32(0), as: perfsh_steal_area.self).map(\.last)
  }

  /// Calls still open per function (entries whose return never came), from every thread's stack.
  private func openCalls(_ threads: BPFMap) throws(CaptureError) -> [Int: Int64] {
    var open: [Int: Int64] = [:]
    for tid in try threads.keys(as: UInt32.self) {
      guard var thread = try threads.value(at: tid, as: perfsh_trace_thread.self) else { continue }
      let depth = min(Int(thread.depth), Int(PERFSH_TRACE_DEPTH))
      withUnsafeBytes(of: &thread.frames) { raw in
        let frames = raw.bindMemory(to: perfsh_trace_frame.self)
        for frame in frames.prefix(depth) { open[Int(frame.function), default: 0] += 1 }
      }
    }
    return open
  }

  /// The first calls one by one, in the order they completed.
  private func callLog(_ map: BPFMap, completed: Int64) throws(CaptureError) -> CallEventLog {
    let kept = min(Int(completed), logCapacity)
    var events: [CallEvent] = []
    events.reserveCapacity(kept)
    for slot in 0..<kept {
      guard let call = try map.value(at: UInt32(slot), as: perfsh_trace_call.self) else { continue }
      events.append(
        CallEvent(
          function: FunctionID(Int(call.function)), thread: Int64(call.tid), startNanos: Int64(clamping: call.start),
          wallNanos: Int64(clamping: call.wall), cpuNanos: Int64(clamping: call.cpu)))
    }
    return CallEventLog(events: events, dropped: completed - Int64(events.count), capacity: logCapacity)
  }

  /// Per-CPU statistics added up (maxima: the largest).
  static func summed(_ perCPU: [perfsh_trace_stats]) -> perfsh_trace_stats {
    var t = perfsh_trace_stats()
    for s in perCPU {
      t.calls &+= s.calls
      t.hits &+= s.hits
      t.unmatched_entries &+= s.unmatched_entries
      t.unmatched_returns &+= s.unmatched_returns
      t.children &+= s.children
      t.descendants &+= s.descendants
      t.cpu_self &+= s.cpu_self
      t.cpu_total &+= s.cpu_total
      t.wall_self &+= s.wall_self
      t.wall_total &+= s.wall_total
      t.stolen &+= s.stolen
      t.cpu_max = max(t.cpu_max, s.cpu_max)
      t.wall_max = max(t.wall_max, s.wall_max)
      t.raw_cpu_max = max(t.raw_cpu_max, s.raw_cpu_max)
      t.raw_wall_max = max(t.raw_wall_max, s.raw_wall_max)
    }
    return t
  }

  /// One function's statistics, the probe cost taken out of the sums as `ShadowStacks` does
  /// (own traps inside each call, callees' traps outside theirs; totals lose every
  /// descendant's whole cost); Max and P95 come corrected per call from the kernel.
  /// `histograms`: CPU self, wall self (corrected), raw CPU self, raw wall self.
  static func statistics(of s: perfsh_trace_stats, histograms h: [BPFHistogram], open: Int64, cost: ProbeCost)
    -> CallStatistics
  {
    let calls = Int64(s.calls)
    let selfCost = calls &* cost.insideNanos &+ Int64(s.children) &* cost.outsideNanos
    let totalCost = calls &* cost.insideNanos &+ Int64(s.descendants) &* cost.perCallNanos
    func times(_ sum: UInt64, _ total: UInt64, _ maximum: UInt64, _ which: Int, corrected: Bool) -> CallTimes {
      CallTimes(
        selfNanos: max(0, Int64(clamping: sum) - (corrected ? selfCost : 0)),
        totalNanos: max(0, Int64(clamping: total) - (corrected ? totalCost : 0)),
        maxSelfNanos: Int64(clamping: maximum),
        p95SelfNanos: h.indices.contains(which)
          ? h[which].percentile(95, maximum: maximum).map { Int64(clamping: $0) } : nil)
    }
    let cpu = times(s.cpu_self, s.cpu_total, s.cpu_max, 0, corrected: true)
    return CallStatistics(
      calls: calls, selfNanos: cpu.selfNanos, totalNanos: cpu.totalNanos, maxSelfNanos: cpu.maxSelfNanos,
      p95SelfNanos: cpu.p95SelfNanos, unmatchedEntries: Int64(s.unmatched_entries) + open, hasDurations: true,
      clock: .cpu, wall: times(s.wall_self, s.wall_total, s.wall_max, 1, corrected: true),
      rawCPU: cost.isZero ? nil : times(s.cpu_self, s.cpu_total, s.raw_cpu_max, 2, corrected: false),
      rawWall: cost.isZero ? nil : times(s.wall_self, s.wall_total, s.raw_wall_max, 3, corrected: false),
      probeCostNanos: cost.perCallNanos)
  }

  /// Detaches the programs, frees the maps and removes the sites (also on deinit).
  public func release() {
    events.release(after: object, inBackground: false)
    object = nil
  }

  /// As `release`, on a background queue: the kernel's detach of each uprobe waits out RCU grace
  /// periods (~500 ms for two traced functions measured), after the statistics are read.
  public func releaseInBackground() {
    events.release(after: object, inBackground: true)
    object = nil
  }

  deinit { release() }
}

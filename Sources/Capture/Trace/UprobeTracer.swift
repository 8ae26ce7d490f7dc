import Glibc
import ProfileModel
import Syscalls

/// Traces functions with uprobes (entry) and uretprobes (return) while a `CommandCapture` run
/// samples: per CPU one event per probe, inherited by every thread and child, enabled at
/// exec; all events of a CPU write into one ring, owned by an event that records the
/// threads' context switches. Hits and switches are merged across CPUs in time order and
/// paired per thread by `ShadowStacks`, which so measures both CPU and wall time per call.
///
/// Probes are defined through tracefs by default (inheritable); the `uprobe` PMU backend
/// cannot be inherited safely and so follows only the initial thread.
public final class UprobeTracer: CaptureCompanion {
  private let probes: [TraceProbe]
  private let backend: Backend
  private var tracefs: TracefsUprobes?
  private var pmu: UprobePMU?
  /// Every event to open per CPU, and the tracepoint id of each (tracefs backend).
  private let planned: [PlannedEvent]
  private var tracepoints: [UInt64] = []
  private let dataPages: Int
  /// Per CPU the switch event owning the ring, the probes writing into it (counted hits) and
  /// the switch events of further threads (attach).
  private let rings = PerCPURings()
  /// Merges the rings' hits and switches in time order; its decoder maps event ids to probes.
  private var merger = RecordMerger(rings: 0, parser: TraceRecordDecoder())
  private var stacks: ShadowStacks

  /// How probes are created.
  public enum Backend: Sendable {
    /// tracefs `uprobe_events` + PERF_TYPE_TRACEPOINT: follows every thread and child.
    case tracefs
    /// The `uprobe` PMU (path pointer in config1): only the initial thread, no inheritance.
    case pmu
  }

  /// A tracer for `probes`; `ringDataPages` per CPU (rounded up to a power of two).
  /// The first `callLogCapacity` completed calls are kept one by one (0: none).
  /// `probeCost` is taken out of every traced call; with `calibrateDuringRun` the cost is
  /// instead measured while the target runs (`ProbeCalibrationSampler`), and `probeCost`
  /// is used only when that measurement fails. `goScheduler` (Go targets) tells which
  /// goroutine each thread runs, for goroutines' CPU time.
  public init(
    probes: [TraceProbe], backend: Backend = .tracefs, ringDataPages: Int = 256, probeCost: ProbeCost = .zero,
    calibrateDuringRun: Bool = false, goScheduler: GoSchedulerProbe? = nil,
    callLogCapacity: Int = CallEventLog.defaultCapacity
  ) throws(CaptureError) {
    self.probes = probes
    self.planned = UprobeTracer.plan(probes, scheduler: goScheduler)
    self.backend = backend
    self.dataPages = max(1, ringDataPages).nextPowerOfTwo
    self.stacks = ShadowStacks(probesReturns: probes.map(\.hasReturns))
    if callLogCapacity > 0 { self.stacks.callLog = CallEventLog(capacity: callLogCapacity) }
    self.probeCost = probeCost
    self.calibrateDuringRun = calibrateDuringRun
  }

  private var probeCost: ProbeCost
  private let calibrateDuringRun: Bool
  /// Events start when opened (attach) rather than at the target's exec.
  private var enableNow = false
  private var sampler: ProbeCalibrationSampler?
  private var calibrationProblem: String?

  /// Descriptors of the per-CPU rings.
  public var descriptors: [Int32] { rings.descriptors }

  /// One perf event per CPU to open: a probe of a function (or of Go's scheduler).
  struct PlannedEvent: Sendable {
    var path: String
    var offset: UInt64
    /// A uretprobe (return probe that hijacks the return address).
    var uretprobe: Bool
    var function: UInt32
    var kind: TraceHit.Kind
    /// Samples AX and R14 (Go register ABI).
    var goRegisters: Bool
  }

  /// The events of `probes` (entry, uretprobe, `RET` and tail-jump probes) and of `scheduler`.
  static func plan(_ probes: [TraceProbe], scheduler: GoSchedulerProbe?) -> [PlannedEvent] {
    var events: [PlannedEvent] = []
    for (i, p) in probes.enumerated() {
      let f = UInt32(i)
      let go = p.readsGoroutine
      events.append(
        PlannedEvent(path: p.path, offset: p.fileOffset, uretprobe: false, function: f, kind: .entry, goRegisters: go))
      if p.probesReturns {
        events.append(
          PlannedEvent(path: p.path, offset: p.fileOffset, uretprobe: true, function: f, kind: .return, goRegisters: go)
        )
      }
      for o in p.returnOffsets {
        events.append(
          PlannedEvent(path: p.path, offset: o, uretprobe: false, function: f, kind: .return, goRegisters: go))
      }
      for o in p.exitOffsets {
        events.append(
          PlannedEvent(path: p.path, offset: o, uretprobe: false, function: f, kind: .tailJump, goRegisters: go))
      }
      for o in p.restartOffsets {
        events.append(
          PlannedEvent(path: p.path, offset: o, uretprobe: false, function: f, kind: .restart, goRegisters: go))
      }
    }
    if let s = scheduler {
      events.append(
        PlannedEvent(
          path: s.path, offset: s.fileOffset, uretprobe: false, function: 0, kind: .goroutineStart, goRegisters: true))
    }
    return events
  }

  /// Opens every probe on every CPU for `pid` and maps one ring per CPU.
  public func open(pid: Int32, cpus: [Int32]) throws(CaptureError) {
    try open(threads: [pid], cpus: cpus, enableNow: false)
  }

  /// Opens every probe on every CPU for each of `threads` (the threads of a running process,
  /// `attach --trace`; new events are inherited only by tasks created later), all of a CPU's
  /// events writing into the first thread's ring; `enableNow` starts them at once instead of
  /// at the next exec.
  public func open(threads: [Int32], cpus: [Int32], enableNow: Bool) throws(CaptureError) {
    guard let pid = threads.first else { return }
    // An earlier run's BPF probes still being released: on the same binary they would share
    // the kernel's uprobe with these, and every hit would run both (traced CPU per call
    // 7–17 % high; a ring-path test after a BPF one measured +18 % in CI).
    BackgroundRelease.waitForAll()
    UprobeTracer.raiseDescriptorLimit(needed: (planned.count + 1) * cpus.count * threads.count + 64)
    self.enableNow = enableNow
    let wakeup = dataPages * SystemInfo.pageSize / 4
    switch backend {
    case .tracefs:
      var fs = try TracefsUprobes()
      defer { tracefs = fs }  // also on a failure half-way, so `release` removes what exists
      for (k, e) in planned.enumerated() {
        tracepoints.append(try fs.define(name: "e\(k)", path: e.path, offset: e.offset, isReturn: e.uretprobe))
      }
    case .pmu:
      pmu = try UprobePMU.current()
    }
    if calibrateDuringRun {
      do {
        // Go functions' returns are probed on their RET (single-stepped): calibrate the same kind.
        let s = try ProbeCalibrationSampler(
          returns: probes.contains { !$0.returnOffsets.isEmpty } ? .retInstruction : .uretprobe)
        try s.start()
        sampler = s
      } catch {
        calibrationProblem = error.description
      }
    }
    var decoder = merger.decoder
    defer { merger = RecordMerger(rings: rings.count, parser: decoder) }
    for cpu in cpus {
      // The ring's owner records the threads' context switches (CPU time = wall − switched out).
      var switchAttr = PerfEventFile.traceSwitchAttributes(wakeupBytes: wakeup)
      if enableNow { switchAttr.startImmediately() }
      let r = try rings.addOwner(PerfEventFile.open(attributes: switchAttr, pid: pid, cpu: cpu), dataPages: dataPages)
      for (t, tid) in threads.enumerated() {
        if t > 0 {
          // A thread that exited since the list was read has nothing left to trace.
          guard let other = try? PerfEventFile.open(attributes: switchAttr, pid: tid, cpu: cpu) else { continue }
          try rings.addFollower(other, ring: r)
        }
        for k in planned.indices {
          let file: PerfEventFile
          do {
            file = try openProbe(k, pid: tid, cpu: cpu, wakeupBytes: wakeup)
          } catch {
            if t > 0, case .system(_, let e) = error, e == .noSuchProcess { continue }  // it exited
            throw error
          }
          let id = try file.eventID()
          decoder.register(id: id, function: planned[k].function, kind: planned[k].kind)
          try rings.addFollower(file, ring: r, countsHits: true)
        }
      }
    }
  }

  private func openProbe(_ k: Int, pid: Int32, cpu: Int32, wakeupBytes: Int) throws(CaptureError) -> PerfEventFile {
    let e = planned[k]
    guard let path = strdup(e.path) else { throw .system(call: "strdup", errno: Syscall.lastError) }
    defer { free(path) }
    var attr =
      pmu.map {
        $0.attributes(pathPointer: path, offset: e.offset, isReturn: e.uretprobe, wakeupBytes: wakeupBytes)
      } ?? PerfEventFile.uprobeTracepointAttributes(id: tracepoints[k], wakeupBytes: wakeupBytes)
    if e.goRegisters { attr = PerfEventFile.withGoRegisters(attr) }
    if enableNow { attr.startImmediately() }
    do {
      return try PerfEventFile.open(attributes: attr, pid: pid, cpu: cpu)
    } catch {
      guard case .perfEventOpen(_, _, let errno) = error else { throw error }
      let kind = e.uretprobe ? "uretprobe" : "uprobe"
      throw .system(call: "perf_event_open(\(kind) \(e.path)+0x\(String(e.offset, radix: 16)))", errno: errno)
    }
  }

  /// Drains every ring, merges hits in time order and feeds those older than the hold-back
  /// window (all of them when `final`) to the shadow stacks.
  public func drain(final: Bool) throws(CaptureError) {
    // Every record stamped before this moment is in a ring now (give or take one being
    // written): the cutoff counts from here, not from after the copying, so a drain that
    // is itself descheduled half-way never lets a later CPU's records overtake older ones.
    try drain(upTo: final ? nil : SystemInfo.monotonicNanos() &- recordHoldBackNanos)
  }

  /// Drains every ring and feeds the hits up to `cutoff` (all of them, and the end-of-run loss
  /// accounting, when nil) to the shadow stacks in time order.
  public func drain(upTo cutoff: UInt64?) throws(CaptureError) {
    rings.drain(into: &merger)
    merger.emit(upTo: cutoff ?? .max) { stacks.consume($0) }
    if cutoff == nil { accountUnreportedLoss() }
  }

  /// Records dropped while a ring was full at the very end of a run get no LOST record (the
  /// kernel writes one only with the next record that fits), so the events' own counts are
  /// compared with the hits decoded once the target is gone.
  private func accountUnreportedLoss() {
    guard let counted = rings.followerHits() else { return }
    let decoded = merger.decoder.probeHits &+ merger.decoder.lostRecords
    if counted > decoded { merger.decoder.addUnreportedLoss(counted - decoded) }
  }

  /// Disables every event and ends the probe-cost measurement.
  public func disable() {
    rings.disable()
    finishCalibration()
  }

  private func finishCalibration() {
    guard let s = sampler else { return }
    sampler = nil
    do {
      probeCost = try s.finish()
    } catch {
      calibrationProblem = error.description
    }
  }

  /// The statistics so far (complete after the final drain).
  public func result() -> TraceResult {
    TraceResult(
      statistics: stacks.statistics(probeCost: probeCost), lostRecords: merger.decoder.lostRecords,
      unmatchedReturns: stacks.unmatchedReturns, hits: merger.decoder.probeHits, events: rings.countedEvents,
      probeCost: probeCost, calibrationProblem: calibrationProblem, callLog: stacks.callLog,
      unparsedRecords: merger.unparsedRecords)
  }

  /// Closes every event and removes the tracefs definitions (also done on deinit).
  public func release() {
    finishCalibration()
    rings.removeAll()
    tracefs?.remove()
    tracefs = nil
  }

  deinit { release() }

  /// Lifts the soft RLIMIT_NOFILE towards the hard limit: a probe is a descriptor per CPU.
  private static func raiseDescriptorLimit(needed: Int) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(needed) else { return }
    limit.rlim_cur = min(limit.rlim_max, rlim_t(needed))
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
  }
}

/// What a traced run measured.
public struct TraceResult: Sendable {
  /// Per function, in probe order.
  public var statistics: [CallStatistics]
  /// Records the kernel dropped (full ring); the numbers are then incomplete.
  public var lostRecords: UInt64
  /// Returns with no open call to pair with, over all functions.
  public var unmatchedReturns: Int64
  /// Probe hits decoded.
  public var hits: UInt64
  /// Perf events opened (functions × probes per function × CPUs, plus a switch event per CPU).
  public var events: Int
  /// The per-call probe cost taken out of the statistics (zero when none).
  public var probeCost: ProbeCost
  /// Why the probe cost could not be measured during the run, when it could not.
  public var calibrationProblem: String?
  /// The first completed calls one by one (raw times, function = probe index); nil when not kept.
  public var callLog: CallEventLog? = nil
  /// Records that could not be decoded (a loss, like `lostRecords`; shown as
  /// `RunInfo.unparsedRecords`).
  public var unparsedRecords: UInt64 = 0
  /// Time the host of this virtual machine kept the traced threads from running inside the
  /// traced calls (steal time; KVM guests), taken out of their CPU times as their own CPU
  /// clocks leave it out. Counted once per call level (a callee's is also in its caller's).
  public var stolenNanos: Int64 = 0
}

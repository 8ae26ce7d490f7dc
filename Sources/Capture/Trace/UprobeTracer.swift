import Glibc
import ProfileModel
import SystemPackage

/// Traces functions with uprobes (entry) and uretprobes (return) while a `CPUSampler` run
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
  private var files: [TraceEventFile] = []
  /// Context-switch events of further threads (attach), writing into a CPU's ring.
  private var switchFollowers: [TraceEventFile] = []
  private var rings: [TraceRing] = []
  private var decoder = TraceRecordDecoder()
  private var stacks: ShadowStacks
  private var pending: [TraceHit] = []
  /// How long hits are held back so a slower CPU's older records can still be merged in.
  private let holdBackNanos: UInt64 = 20_000_000

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
  public var descriptors: [Int32] { rings.map { $0.file.descriptor } }

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
    for cpu in cpus {
      // The ring's owner records the threads' context switches (CPU time = wall − switched out).
      var switchAttr = TraceEventAttributes.switches(wakeupBytes: wakeup)
      if enableNow {
        switchAttr.disabled = 0
        switchAttr.enable_on_exec = 0
      }
      let switches = try PerfEventFile.open(attributes: switchAttr, pid: pid, cpu: cpu)
      let ring = try RingBuffer(file: switches, dataPages: dataPages)
      rings.append(TraceRing(file: switches, ring: ring))
      let r = rings.count - 1
      for (t, tid) in threads.enumerated() {
        if t > 0 {
          // A thread that exited since the list was read has nothing left to trace.
          guard let other = try? PerfEventFile.open(attributes: switchAttr, pid: tid, cpu: cpu) else { continue }
          try other.setOutput(to: rings[r].file)
          switchFollowers.append(TraceEventFile(file: other))
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
          try file.setOutput(to: rings[r].file)
          files.append(TraceEventFile(file: file))
        }
      }
    }
  }

  private func openProbe(_ k: Int, pid: Int32, cpu: Int32, wakeupBytes: Int) throws(CaptureError) -> PerfEventFile {
    let e = planned[k]
    guard let path = strdup(e.path) else { throw .system(call: "strdup", errno: Errno(rawValue: errno)) }
    defer { free(path) }
    var attr =
      pmu.map {
        $0.attributes(pathPointer: path, offset: e.offset, isReturn: e.uretprobe, wakeupBytes: wakeupBytes)
      } ?? TraceEventAttributes.tracepoint(id: tracepoints[k], wakeupBytes: wakeupBytes)
    if e.goRegisters { attr = TraceEventAttributes.withGoRegisters(attr) }
    if enableNow {
      attr.disabled = 0
      attr.enable_on_exec = 0
    }
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
    let started = SystemInfo.monotonicNanos()
    for ring in rings {
      ring.ring.drain(into: &ring.bytes)
      let used = ring.bytes.withUnsafeBytes { decoder.decode($0, into: &pending) }
      ring.bytes.removeSubrange(0..<used)
    }
    guard !pending.isEmpty else { return }
    pending.sort { $0.time < $1.time }
    let cutoff = final ? UInt64.max : started &- holdBackNanos
    var used = 0
    while used < pending.count, pending[used].time <= cutoff {
      stacks.consume(pending[used])
      used += 1
    }
    pending.removeSubrange(0..<used)
    if final { accountUnreportedLoss() }
  }

  /// Records dropped while a ring was full at the very end of a run get no LOST record (the
  /// kernel writes one only with the next record that fits), so the events' own counts are
  /// compared with the hits decoded once the target is gone.
  private func accountUnreportedLoss() {
    var counted: UInt64 = 0
    for f in files {
      guard let n = f.file.count() else { return }
      counted &+= n
    }
    if counted > decoder.probeHits &+ decoder.lostRecords {
      decoder.addUnreportedLoss(counted - decoder.probeHits - decoder.lostRecords)
    }
  }

  /// Disables every event and ends the probe-cost measurement.
  public func disable() {
    for r in rings { try? r.file.disable() }
    for f in files { try? f.file.disable() }
    for f in switchFollowers { try? f.file.disable() }
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
      statistics: stacks.statistics(probeCost: probeCost), lostRecords: decoder.lostRecords,
      unmatchedReturns: stacks.unmatchedReturns, hits: decoder.probeHits, events: files.count + rings.count,
      probeCost: probeCost, calibrationProblem: calibrationProblem, callLog: stacks.callLog)
  }

  /// Closes every event and removes the tracefs definitions (also done on deinit).
  public func release() {
    finishCalibration()
    files.removeAll()
    switchFollowers.removeAll()
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

/// An event whose records go to another event's ring (a class so arrays can hold it).
final class TraceEventFile {
  let file: PerfEventFile
  init(file: consuming PerfEventFile) { self.file = file }
}

/// A CPU's ring-owning event, its ring and the bytes not yet decoded.
final class TraceRing {
  let file: PerfEventFile
  var ring: RingBuffer
  var bytes: [UInt8] = []
  init(file: consuming PerfEventFile, ring: consuming RingBuffer) {
    self.file = file
    self.ring = ring
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
}

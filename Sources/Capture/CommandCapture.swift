import Glibc
import ProfileModel
import Syscalls

/// Captures one command: launches it held at an exec gate, opens its event sources (a software
/// `cpu-clock` sampler with call chains unless sampling is off, a companion such as the uprobe
/// tracer, off-CPU switches, the allocation ring), drains and merges them while it runs, relays
/// signals, enforces the timeout, reaps it and converts the records into its profile.
///
/// Sampling uses one event per online CPU on the gated child's pid, inherited by every thread
/// and child process, enabled at exec. One run at a time per process: SIGINT/SIGTERM are relayed
/// through process-wide handlers. (Named `CPUSampler` before it grew beyond sampling.)
public struct CommandCapture: Sendable {
  /// DWARF unwinding support; without it every run uses frame-pointer call chains.
  public var unwinding: (any UserStackUnwinding)?

  /// A capture; it holds no run state, each `run` opens its own events. `unwinding`
  /// enables `CallGraph.dwarf` and `.auto` (see `CaptureRequest.callGraph`).
  public init(unwinding: (any UserStackUnwinding)? = nil) {
    self.unwinding = unwinding
  }

  /// Runs `request` to completion (or timeout) and converts what was sampled.
  ///
  /// `started` is called with the target's pid once it has exec'ed (e.g. to print it).
  /// `companion` (e.g. the uprobe tracer) opens its own events on the same gated child and
  /// is drained in the same loop; `sample: false` runs the companion alone.
  /// `progress`, when given, receives the profile converted so far about once a second while
  /// the target runs (unsymbolized; `serve` shows it live).
  /// `checkpoint`, when given, sees the profile converted so far once, `after` into the run
  /// (unsymbolized), and may stop the target there (SIGTERM, as at a timeout).
  public func run(
    _ request: CaptureRequest, companion: (any CaptureCompanion)? = nil, sample: Bool = true,
    progress: ((Profile) -> Void)? = nil, checkpoint: CaptureCheckpoint? = nil, started: (Int32) -> Void = { _ in }
  ) throws(CaptureError) -> CaptureResult {
    var request = request
    request.resolveExecutable()  // once; a request the shell resolved keeps its path
    if request.frequency < 1 { throw .badFrequency(request.frequency) }
    if let maximum = SystemInfo.maxSampleRate(), request.frequency > maximum {
      throw .frequencyTooHigh(requested: request.frequency, maximum: maximum)
    }
    let cpus = try SystemInfo.onlineCPUs()
    let paranoid = SystemInfo.perfEventParanoid() ?? 2
    var excludeKernel = request.kernelFrames == .never || (paranoid > 1 && !SystemInfo.isRoot)

    // Catch SIGINT/SIGTERM/SIGHUP before any probe is defined or child exists, so none of
    // them can kill perfsh half-way and leave either behind.
    let relay = try SignalRelay()
    let callGraph = callGraphChoice(request)
    for warning in callGraph.warnings { SystemInfo.writeStandardError("perfsh: \(warning)\n") }
    var allocation: AllocationCapture?
    var overrides = request.environment
    if let wanted = request.allocation {
      let capture = try AllocationCapture(wanted)
      overrides = capture.environment(
        adding: overrides, inherited: SystemInfo.environment(), dwarf: callGraph.executableNeedsCFI)
      allocation = capture
    }
    var child = try SuspendedChild.launch(
      arguments: request.arguments, executablePath: request.executablePath,
      environment: Self.environment(overrides: overrides),
      workingDirectory: request.workingDirectory)
    allocation?.launched()

    let stackBytes = callGraph.stackBytes
    // Stack copies need bigger rings: keep about the same number of samples per ring.
    let dataPages = max(1, stackBytes > 0 ? max(request.ringDataPages, 512) : request.ringDataPages).nextPowerOfTwo
    var events = PerCPURings()
    var samplerChoice: SamplerChoice?
    var sampleFilter: BPFSampleFilter?
    var targetFilter: TargetProcessFilter?
    if sample {
      var choice = SamplerChoice(
        requested: request.sampler, bpf: BPFSupport.availability, kernelAccess: SystemInfo.isRoot || paranoid <= 0)
      if choice.method == .cpu {
        do {
          (events, sampleFilter, targetFilter) = try Self.openPerCPUEvents(
            cpus: cpus, pid: child.pid, request: request, excludeKernel: excludeKernel, dataPages: dataPages,
            stackBytes: stackBytes, userCallchain: companion != nil)
        } catch {
          if request.sampler == .cpu { throw error }
          choice = SamplerChoice(fallback: "the per-CPU sampler could not be opened (\(error.description))")
        }
      }
      if choice.method == .task {
        do {
          events = try Self.openEvents(
            cpus: cpus, pid: child.pid, request: request, excludeKernel: excludeKernel, dataPages: dataPages,
            stackBytes: stackBytes, userCallchain: companion != nil)
        } catch {
          // Kernel frames may be what is refused: retry user-only before giving up.
          guard case .permissionDenied = error, !excludeKernel else { throw error }
          excludeKernel = true
          events = try Self.openEvents(
            cpus: cpus, pid: child.pid, request: request, excludeKernel: true, dataPages: dataPages,
            stackBytes: stackBytes, userCallchain: companion != nil)
        }
      }
      samplerChoice = choice
    }
    try companion?.open(pid: child.pid, cpus: cpus)
    var switches: ContextSwitchSource?
    let offCPUStackBytes =
      request.offCPUOptions.stackBytes.map { $0 <= 0 ? 0 : Self.stackCopySize($0) }
      ?? ContextSwitchSource.stackBytes(
        wanted: min(stackBytes > 0 ? stackBytes : Self.offCPUStackBytes, Self.offCPUStackBytes),
        executablePath: request.executablePath, unwinding: unwinding)
    var offCPUChoice: OffCPUChoice?
    var kernelOffCPU: BPFOffCPU?
    if request.offCPU && !excludeKernel {
      var choice = OffCPUChoice(
        requested: request.offCPUOptions.method, recordStackBytes: offCPUStackBytes, bpf: BPFSupport.availability)
      if choice.method == .bpf {
        (kernelOffCPU, choice) = try Self.openKernelOffCPU(
          pid: child.pid, choice: choice, forced: request.offCPUOptions.method == .bpf,
          sharedTargets: sampleFilter?.targetsDescriptor, copyBytes: offCPUStackBytes)
      }
      offCPUChoice = choice
    }
    // The BPF path adds waits up in the kernel (OffCPUChoice says when); the record path otherwise.
    // Without kernel access the kernel drops every switch-out sample (see the note below); and
    // only root may lock big rings (kernel.perf_event_mlock_kb bounds everyone else).
    if request.offCPU && !excludeKernel && kernelOffCPU == nil {
      let pages =
        request.offCPUOptions.ringPages
        ?? (SystemInfo.isRoot
          ? max(
            request.ringDataPages,
            ContextSwitchSource.rootRingPages(cpus: cpus.count, stackCopies: offCPUStackBytes > 0))
          : request.ringDataPages)
      switches = try ContextSwitchSource(
        cpus: cpus, pids: [child.pid], dataPages: pages.nextPowerOfTwo,
        excludeKernel: excludeKernel, stackBytes: offCPUStackBytes, options: request.offCPUOptions)
    }

    let sources = CaptureSources(
      sampler: events, format: try Self.sampleFormat(stackBytes: stackBytes), companion: companion,
      switches: switches, allocation: allocation, targetFilter: targetFilter)
    var converter = ProfileConverter(
      frequency: request.frequency, allocationRate: request.allocation?.rate, offCPU: request.offCPU)
    // Both off-CPU paths copy switch-out stacks when offCPUStackBytes > 0 (BPF once per place).
    if stackBytes > 0 || offCPUStackBytes > 0 { converter.unwinder = unwinding?.makeUnwinder() }

    let wallStart = SystemInfo.wallNanos()
    let start = SystemInfo.monotonicNanos()
    try child.resume()
    started(child.pid)

    let (exit, interrupted, escalation) = try Self.watch(
      &child, sources: sources, relay: relay, request: request, start: start, converter: &converter,
      progress: progress, checkpoint: checkpoint)
    let end = SystemInfo.monotonicNanos()
    sources.disable()
    try sources.drain(upTo: nil, into: &converter)
    let kernelCounts = try kernelOffCPU?.finish(into: &converter)
    let filterCounts = sampleFilter?.counts()
    sampleFilter?.closeInBackground()  // off the path from the target's exit to the session

    let stats = converter.stats
    let elapsed = Self.elapsed(
      stats: stats, start: start, end: end, cpuNanos: exit.cpuNanos, cpus: cpus.count,
      detached: child.identityChange != nil)
    var run = RunInfo()
    run.command = request.arguments
    run.termination = exit.termination
    run.elapsedNanos = elapsed
    run.cpuNanos = exit.cpuNanos
    run.lostRecords = Int64(clamping: stats.lostRecords)
    run.unparsedRecords = Int64(clamping: sources.unparsedRecords)
    run.interrupted = interrupted
    if excludeKernel {
      run.notes.append("user-space frames only (kernel.perf_event_paranoid is \(paranoid))")
    }
    if stats.throttles > 0 { run.notes.append("the kernel throttled sampling \(stats.throttles) times") }
    if request.offCPU && excludeKernel {
      // Switch-out samples are taken in the scheduler; without kernel access the kernel drops them.
      let message =
        "off-CPU time needs kernel access (kernel.perf_event_paranoid is \(paranoid)): run perfsh as root, "
        + "with CAP_PERFMON, or after 'sysctl kernel.perf_event_paranoid=1'"
      SystemInfo.writeStandardError("perfsh: \(message)\n")
      run.notes.append(message)
    }
    let name = Self.commandName(request)
    if let escalation { run.notes.append(escalation) }
    // Why a session is empty or partial is said at once (stderr) and kept in `info`.
    var warnings: [String] = []
    if let change = child.identityChange {
      warnings.append(
        "\(name) is \(change): the kernel detaches perf events at an exec that changes the user or group, "
          + "so it was not profiled (\(stats.samples) samples); run it without that privilege, or perfsh with it")
    }
    let survivors = sources.tracker.survivors(excluding: child.pid)
    if !survivors.isEmpty {
      let pids = survivors.prefix(5).map(String.init).joined(separator: ", ") + (survivors.count > 5 ? ", …" : "")
      warnings.append(
        "\(name) exited after \(Self.millis(elapsed)) leaving \(survivors.count) "
          + "descendant\(survivors.count == 1 ? "" : "s") running (pid \(pids)); capture stops when the command "
          + "exits, so \(survivors.count == 1 ? "it was" : "they were") not profiled after that")
    }
    if let allocation,
      let message = allocation.finish(
        into: &run, executable: Self.executable(request) ?? "", identityChange: child.identityChange, name: name)
    {
      warnings.append(message)
    }
    let late = lateBinaryWarnings(callGraph, objects: converter.objects)
    for warning in warnings + late { SystemInfo.writeStandardError("perfsh: \(warning)\n") }
    run.notes += callGraph.warnings + warnings + late
    run.notes.append(callGraph.note)
    if let samplerChoice { run.notes.append(samplerChoice.note(filterCounts)) }
    if let offCPUChoice { run.notes += offCPUChoice.notes(kernelCounts) }
    run.notes.append(contentsOf: converter.unwinderNotes)
    let profile = converter.makeProfile(run: run, timeNanos: wallStart, durationNanos: elapsed)
    return CaptureResult(
      profile: profile, sampleRecords: stats.samples, lostRecords: stats.lostRecords, throttles: stats.throttles,
      cpus: cpus, ringBytesDrained: events.drainedBytes, ringDataBytes: events.dataBytes,
      kernelFrames: !excludeKernel, pid: child.pid, finishNanos: Int64(SystemInfo.monotonicNanos() &- end))
  }

  /// The run's wall time: from the exec record to the last exit record when they are
  /// trustworthy, else from the exec (or launch) to the reap of the target.
  ///
  /// Exit records lie when the kernel detached the events early (a set-ID exec emits an
  /// exit record at the exec); CPU time from wait4 then spans far more than the records,
  /// which showed as a parallelism of thousands. Parallelism cannot exceed the CPU count.
  static func elapsed(
    stats: ConverterStats, start: UInt64, end: UInt64, cpuNanos: Int64, cpus: Int, detached: Bool
  ) -> Int64 {
    let first = stats.firstExecTime.map { min(max($0, start), end) } ?? start
    let wall = Int64(end &- first)
    guard !detached, let last = stats.lastExitTime, last > first else { return wall }
    let records = Int64(clamping: last - first)
    if records <= 0 || cpuNanos / Int64(max(cpus, 1)) > records { return wall }
    return records
  }

  /// The executable `request` runs, resolved as the launch does; nil when it cannot be.
  static func executable(_ request: CaptureRequest) -> String? { request.executablePath }

  /// The command's base name for messages (`./build/app` → `app`).
  static func commandName(_ request: CaptureRequest) -> String {
    request.arguments.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? "the command"
  }

  /// Milliseconds for a message: "5.23ms", "73ms".
  static func millis(_ nanos: Int64) -> String {
    let ms = Double(nanos) / 1e6
    return ms < 10 ? "\((ms * 100).rounded() / 100)ms" : "\(Int(ms.rounded()))ms"
  }

  /// Drains the rings while the target runs, relays signals, enforces the timeout, and
  /// returns once the target has been reaped: its exit, whether the run was interrupted,
  /// and a note when a second interrupt had to kill it.
  ///
  /// SIGINT and SIGTERM sent by a process are forwarded (a terminal's Ctrl-C reaches the
  /// target itself); SIGHUP always is (a hangup signals only the session leader). A second
  /// interrupt while the target still runs sends SIGKILL: a target that ignores them must
  /// not hold the shell forever.
  private static func watch(
    _ child: inout SuspendedChild, sources: CaptureSources, relay: borrowing SignalRelay, request: CaptureRequest,
    start: UInt64, converter: inout ProfileConverter, progress: ((Profile) -> Void)?, checkpoint: CaptureCheckpoint?
  ) throws(CaptureError) -> (SuspendedChild.Exit, Bool, String?) {
    var checkpointAt = checkpoint.map { start &+ nanos($0.after) }
    var nextProgress = start &+ 1_000_000_000
    var interrupted = false
    var firstInterrupt: Int32?
    var escalation: String?
    let deadline = request.timeout.map { start &+ nanos($0) }
    let grace = nanos(request.killGrace)
    var termSentAt: UInt64?
    var killSent = false
    // Watch the rings, the signal relay and (when the kernel has pidfds) the child's exit.
    // The companion's and switch source's come last: hang-ups drop them too.
    let polled = sources.descriptors(
      inserting: [relay.descriptor] + (child.exitDescriptor >= 0 ? [child.exitDescriptor] : []))
    let companionStart = polled.laterStart
    let samplerRings = sources.sampler.count
    var poller = Poller(descriptors: polled.descriptors)
    while true {
      var waitMillis: Int32 = sources.allocation == nil ? 100 : 20  // the allocation ring has no wake-up
      let now = SystemInfo.monotonicNanos()
      if let limit = termSentAt.map({ $0 &+ grace }) ?? deadline, !killSent {
        waitMillis = min(waitMillis, Int32(clamping: (limit &- min(now, limit)) / 1_000_000))
      }
      for i in poller.wait(timeoutMillis: waitMillis).hungUp where i < samplerRings || i >= companionStart {
        poller.remove(i)  // every task of this event exited; stop polling it
      }
      // Hold back the newest records: another CPU may still be writing older ones. One cutoff
      // for every source, taken before any ring is copied: a copy descheduled half-way never
      // lets a later CPU's records overtake older ones.
      try sources.drain(upTo: CaptureSources.cutoffNow(), into: &converter)
      if let progress, SystemInfo.monotonicNanos() >= nextProgress {
        progress(converter.makeProfile(run: RunInfo()))
        nextProgress = SystemInfo.monotonicNanos() &+ 1_000_000_000
      }
      if let at = checkpointAt, let checkpoint, SystemInfo.monotonicNanos() >= at {
        checkpointAt = nil
        if !checkpoint.proceed(converter.makeProfile(run: RunInfo())), termSentAt == nil {
          child.send(SIGTERM)
          termSentAt = SystemInfo.monotonicNanos()
          interrupted = true
        }
      }

      for received in relay.pending() {
        interrupted = true
        if received.sentByProcess || received.signal == SIGHUP { child.send(received.signal) }
        if let first = firstInterrupt {
          if !killSent, SystemInfo.processIsRunning(child.pid) {
            child.send(SIGKILL)
            killSent = true
            let message = "\(commandName(request)) ignores \(signalName(first)); sent SIGKILL"
            escalation = message
            SystemInfo.writeStandardError("perfsh: \(message)\n")
          }
        } else {
          firstInterrupt = received.signal
        }
      }
      let after = SystemInfo.monotonicNanos()
      if let deadline, termSentAt == nil, after >= deadline {
        child.send(SIGTERM)
        termSentAt = after
        interrupted = true
      }
      if let sent = termSentAt, !killSent, after >= sent &+ grace {
        child.send(SIGKILL)
        killSent = true
      }
      if let exit = try child.wait(blocking: false) {
        if relay.pending().contains(where: { [SIGINT, SIGTERM, SIGHUP].contains($0.signal) }) { interrupted = true }
        return (exit, interrupted, escalation)
      }
    }
  }

  static func openEvents(
    cpus: [Int32], pid: Int32, request: CaptureRequest, excludeKernel: Bool, dataPages: Int, stackBytes: Int,
    userCallchain: Bool = false
  ) throws(CaptureError) -> PerCPURings {
    let dataBytes = dataPages * SystemInfo.pageSize
    var buildIDs = true
    var attr = PerfEventFile.cpuClockAttributes(
      frequency: request.frequency, excludeKernel: excludeKernel, wakeupBytes: dataBytes / 4, buildIDs: buildIDs,
      userStackBytes: stackBytes)
    // While probes are armed the kernel's own user chain rides along the stack copy: it holds
    // the real return addresses where the copy holds uretprobe trampolines (the unwinder's fix).
    if userCallchain { attr.exclude_callchain_user = 0 }
    let events = PerCPURings()
    for cpu in cpus {
      let file: PerfEventFile
      do {
        file = try PerfEventFile.open(attributes: attr, pid: pid, cpu: cpu)
      } catch {
        // Kernels before 5.12 reject build ids in MMAP2 with EINVAL: retry without them.
        guard case .perfEventOpen(_, _, .invalidArgument) = error, buildIDs else { throw error }
        buildIDs = false
        attr = PerfEventFile.cpuClockAttributes(
          frequency: request.frequency, excludeKernel: excludeKernel, wakeupBytes: dataBytes / 4, buildIDs: false,
          userStackBytes: stackBytes)
        if userCallchain { attr.exclude_callchain_user = 0 }
        file = try PerfEventFile.open(attributes: attr, pid: pid, cpu: cpu)
      }
      try events.addOwner(file, dataPages: dataPages)
    }
    return events
  }

  /// perfsh's environment with `overrides` applied, as `KEY=VALUE` strings.
  static func environment(overrides: [String: String]) -> [String] {
    var result: [String] = []
    var seen = Set<String>()
    for s in SystemInfo.environment() {
      let key = s.split(separator: "=", maxSplits: 1).first.map(String.init) ?? s
      if let value = overrides[key] {
        if seen.insert(key).inserted { result.append("\(key)=\(value)") }
      } else {
        result.append(s)
      }
    }
    for key in overrides.keys.sorted() where !seen.contains(key) {
      result.append("\(key)=\(overrides[key] ?? "")")
    }
    return result
  }

  /// User stack copied per switch-out for DWARF unwinding of off-CPU stacks: blocking calls sit
  /// a few frames deep, and a small copy keeps switch-heavy programs cheaper (8 KiB lost about
  /// twice as many records as 2 KiB at ~200k switches/s here; deep stacks end early).
  static let offCPUStackBytes = 2048

  static func nanos(_ d: Duration) -> UInt64 {
    let (s, atto) = d.components
    return UInt64(clamping: s) &* 1_000_000_000 &+ UInt64(clamping: atto / 1_000_000_000)
  }
}

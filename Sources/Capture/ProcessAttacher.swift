import Glibc
import ProfileModel

/// Profiles a process that is already running (`attach PID`): all its threads (and threads and
/// children they start while attached) until the duration ends, an interrupt arrives or the
/// process exits; the process keeps running.
///
/// Threads that exist at attach get one event per thread and CPU (a new event is inherited only
/// by tasks created after it); each CPU's events share one ring. Mappings and names that
/// existed before come from /proc, as perf synthesizes them.
public struct ProcessAttacher: Sendable {
  /// DWARF unwinding of off-CPU stack copies (nil: frame pointers only).
  public var unwinding: (any UserStackUnwinding)?

  /// An attacher; each `attach` opens its own events.
  public init(unwinding: (any UserStackUnwinding)? = nil) { self.unwinding = unwinding }

  /// What went wrong before capture started.
  public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchProcess(Int32)
    case capture(String)

    public var description: String {
      switch self {
      case .noSuchProcess(let pid): return "no process with pid \(pid) (it may have exited)"
      case .capture(let message): return message
      }
    }
  }

  /// Attaches to `pid`, samples at `frequency` Hz (plus off-CPU with `offCPU`, plus uprobes of
  /// `tracer` on every thread) for `duration` (nil: until SIGINT/SIGTERM) or until the process exits.
  public func attach(
    pid: Int32, frequency: Int, duration: Duration?, offCPU: Bool, tracer: UprobeTracer? = nil
  ) throws(Refusal) -> CaptureResult {
    guard SystemInfo.processIsRunning(pid) else { throw .noSuchProcess(pid) }
    do {
      return try capture(pid: pid, frequency: frequency, duration: duration, offCPU: offCPU, tracer: tracer)
    } catch {
      guard case .permissionDenied = error, let refusal = Self.otherUsersProcess(pid) else {
        throw .capture(error.description)
      }
      throw refusal
    }
  }

  /// The refusal for a process of another user (perf_event_open and /proc/PID/exe need ptrace
  /// read access to it: same user, or root / CAP_PERFMON with CAP_SYS_PTRACE); nil when `pid` is ours.
  public static func otherUsersProcess(_ pid: Int32) -> Refusal? {
    guard let owner = owner(of: pid), owner != geteuid() else { return nil }
    return .capture(
      "pid \(pid) belongs to user id \(owner), not you (\(geteuid())): profiling another user's process needs "
        + "ptrace read access to it (perf_event_open's rule), so run perfsh as root or with CAP_PERFMON and "
        + "CAP_SYS_PTRACE (sudo setcap cap_perfmon,cap_sys_ptrace+ep perfsh)")
  }

  /// The real user id of `pid` from /proc/PID/status; nil when unreadable.
  static func owner(of pid: Int32) -> uid_t? {
    guard let status = SystemInfo.readSmallFile("/proc/\(pid)/status") else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
      return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { uid_t($0) }
    }
    return nil
  }

  private func capture(
    pid: Int32, frequency: Int, duration: Duration?, offCPU: Bool, tracer: UprobeTracer?
  ) throws(CaptureError) -> CaptureResult {
    if frequency < 1 { throw .badFrequency(frequency) }
    let cpus = try SystemInfo.onlineCPUs()
    let paranoid = SystemInfo.perfEventParanoid() ?? 2
    let excludeKernel = paranoid > 1 && !SystemInfo.isRoot
    let relay = try SignalRelay()
    let tids = Self.threads(of: pid)
    let dataPages = 64
    let dataBytes = dataPages * SystemInfo.pageSize
    var attr = PerfEventFile.cpuClockAttributes(
      frequency: frequency, excludeKernel: excludeKernel, wakeupBytes: dataBytes / 4, buildIDs: false)
    attr.startImmediately()
    let events = PerCPURings()
    for cpu in cpus {
      let r = try events.addOwner(
        PerfEventFile.open(attributes: attr, pid: tids.first ?? pid, cpu: cpu), dataPages: dataPages)
      try events.addThreads(tids.dropFirst(), attributes: attr, cpu: cpu, ring: r)
    }
    let stackBytes = ContextSwitchSource.stackBytes(
      wanted: CommandCapture.offCPUStackBytes, executablePath: SystemInfo.processExecutable(pid), unwinding: unwinding)
    var switches: ContextSwitchSource?
    // As `run --off-cpu`: waits added up in the kernel where BPF loads (the whole process, and
    // children it forks from now on), else switch records; no kernel access, no switch-outs.
    var offCPUChoice: OffCPUChoice?
    var kernelOffCPU: BPFOffCPU?
    if offCPU && !excludeKernel {
      var choice = OffCPUChoice(requested: nil, recordStackBytes: stackBytes, bpf: BPFSupport.availability)
      if choice.method == .bpf {
        (kernelOffCPU, choice) = try CommandCapture.openKernelOffCPU(
          pid: pid, choice: choice, forced: false, sharedTargets: nil, copyBytes: stackBytes, running: true)
      }
      offCPUChoice = choice
    }
    if offCPU && !excludeKernel && kernelOffCPU == nil {
      switches = try ContextSwitchSource(
        cpus: cpus, pids: tids.isEmpty ? [pid] : tids,
        dataPages: SystemInfo.isRoot
          ? ContextSwitchSource.rootRingPages(cpus: cpus.count, stackCopies: stackBytes > 0) : 64,
        excludeKernel: excludeKernel,
        stackBytes: stackBytes, enableAtExec: false)
    }
    // Probes on every thread that exists now; threads and children started later inherit them.
    try tracer?.open(threads: tids.isEmpty ? [pid] : tids, cpus: cpus, enableNow: true)
    let sources = CaptureSources(sampler: events, format: .cpuSampling, companion: tracer, switches: switches)
    var converter = ProfileConverter(frequency: frequency, offCPU: offCPU)
    if stackBytes > 0 { converter.unwinder = unwinding?.makeUnwinder() }
    let start = SystemInfo.monotonicNanos()
    let wallStart = SystemInfo.wallNanos()
    Self.synthesize(pid: pid, tids: tids, time: start, into: &converter)

    let deadline = duration.map { start &+ CommandCapture.nanos($0) }
    var poller = Poller(descriptors: sources.descriptors(inserting: [relay.descriptor]).descriptors)
    var interrupted = false
    var exited = false
    while true {
      _ = poller.wait(timeoutMillis: 100)
      try sources.drain(upTo: CaptureSources.cutoffNow(), into: &converter)
      if relay.pending().contains(where: { [SIGINT, SIGTERM, SIGHUP].contains($0.signal) }) {
        interrupted = true
        break
      }
      if !SystemInfo.processIsRunning(pid) {
        exited = true
        break
      }
      if let deadline, SystemInfo.monotonicNanos() >= deadline { break }
    }
    let end = SystemInfo.monotonicNanos()
    sources.disable()
    try sources.drain(upTo: nil, into: &converter)
    let kernelCounts = try kernelOffCPU?.finish(into: &converter)

    var run = RunInfo()
    run.command = Self.commandLine(of: pid)
    run.elapsedNanos = Int64(end &- start)
    run.interrupted = interrupted
    run.lostRecords = Int64(clamping: converter.stats.lostRecords)
    run.unparsedRecords = Int64(clamping: sources.unparsedRecords)
    run.notes.append("attached to pid \(pid) (\(tids.count) thread\(tids.count == 1 ? "" : "s") at attach)")
    if exited { run.notes.append("pid \(pid) exited during the capture") }
    if excludeKernel { run.notes.append("user-space frames only (kernel.perf_event_paranoid is \(paranoid))") }
    if offCPU && excludeKernel {
      run.notes.append(
        "off-CPU time needs kernel access (kernel.perf_event_paranoid is \(paranoid)): run perfsh as root, with CAP_PERFMON, "
          + "or after 'sysctl kernel.perf_event_paranoid=1'")
    }
    if let offCPUChoice { run.notes += offCPUChoice.notes(kernelCounts) }
    run.notes.append(contentsOf: converter.unwinderNotes)
    let stats = converter.stats
    let profile = converter.makeProfile(run: run, timeNanos: wallStart, durationNanos: Int64(end &- start))
    return CaptureResult(
      profile: profile, sampleRecords: stats.samples, lostRecords: stats.lostRecords, throttles: stats.throttles,
      cpus: cpus, ringBytesDrained: events.drainedBytes, ringDataBytes: dataBytes,
      kernelFrames: !excludeKernel, pid: pid, finishNanos: Int64(SystemInfo.monotonicNanos() &- end))
  }

  /// The thread ids in /proc/PID/task, the main thread first.
  static func threads(of pid: Int32) -> [Int32] {
    guard let dir = opendir("/proc/\(pid)/task") else { return [pid] }
    defer { closedir(dir) }
    var tids: [Int32] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if let tid = Int32(name) { tids.append(tid) }
    }
    return [pid] + tids.filter { $0 != pid }.sorted()
  }

  /// The command line from /proc/PID/cmdline (NUL-separated); nil when unreadable.
  static func commandLine(of pid: Int32) -> [String]? {
    guard let text = SystemInfo.readSmallFile("/proc/\(pid)/cmdline"), !text.isEmpty else { return nil }
    return text.split(separator: "\0").map(String.init)
  }

  /// COMM and MMAP records for what existed before the events: the process name, thread
  /// names and executable mappings from /proc, as perf synthesizes them.
  static func synthesize(pid: Int32, tids: [Int32], time: UInt64, into converter: inout ProfileConverter) {
    let id = SampleID(pid: pid, tid: pid, time: time)
    let name = SystemInfo.processName(pid) ?? "\(pid)"
    converter.consume(.comm(CommRecord(pid: pid, tid: pid, name: name, isExec: true, sampleID: id)))
    for tid in tids where tid != pid {
      let threadName = SystemInfo.readSmallFile("/proc/\(pid)/task/\(tid)/comm")?.split(separator: "\n").first.map(
        String.init)
      converter.consume(.comm(CommRecord(pid: pid, tid: tid, name: threadName ?? name, isExec: false, sampleID: id)))
    }
    guard let maps = SystemInfo.readSmallFile("/proc/\(pid)/maps", limit: 16 << 20) else { return }
    for line in maps.split(separator: "\n") {
      let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
      guard fields.count >= 5, fields[1].contains("x") else { continue }
      let range = fields[0].split(separator: "-")
      guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16),
        let offset = UInt64(fields[2], radix: 16), end > start
      else { continue }
      let path = fields.count > 5 ? fields[5].trimmingCharacters(in: " ") : "//anon"
      let record = MmapRecord(
        misc: 0, pid: pid, tid: pid, start: start, length: end - start, pageOffset: offset, filename: path,
        protection: 5, buildID: nil, sampleID: id)
      converter.consume(.mmap(record))
    }
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: Character) -> String {
    String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
  }
}

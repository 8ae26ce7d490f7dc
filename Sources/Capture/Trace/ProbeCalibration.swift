import CPerfEvent
import Glibc

/// Measures what one traced call's probes cost on this machine, so traced runs can take
/// it out of their numbers (as uftrace and gprof-style tools do).
///
/// Traces an empty function of perfsh itself whose first instruction is `push %rbp` (the
/// kind trace probes sit on), called in a tight loop, with the same kind of events a traced
/// run uses (tracefs uprobes and a context-switch event), on the calling thread only. The
/// time from a call's entry record to its return record is the trap time inside a call
/// (the leaf does nothing); the time from one call's return record to the next call's entry
/// record is the trap time outside it (the loop in between costs a nanosecond). Medians
/// over every call of several rounds are taken (the first round is a warm-up), so an
/// interrupt or a preemption during calibration does not inflate the cost.
public enum ProbeCalibration {
  /// Calls of the leaf per round.
  public static let callsPerRound: UInt64 = 1000

  /// Measures the per-call probe cost with `rounds` rounds (the first is a warm-up).
  public static func measure(rounds: Int = 4) throws(CaptureError) -> ProbeCost {
    var fs = try TracefsUprobes()
    defer { fs.remove() }
    let ids = try defineProbes(&fs)
    var insides: [Int64] = []
    var outsides: [Int64] = []
    for round in 0..<max(2, rounds) {
      let hits = try traceRound(tracepoints: ids, calls: callsPerRound)
      if round > 0 { split(hits, insides: &insides, outsides: &outsides) }
    }
    return try cost(insides: insides, outsides: outsides)
  }

  /// Bytes from the calibration leaf's start to its `ret` (`push %rbp; mov %rsp,%rbp; pop %rbp;
  /// ret`, hand-written in CPerfEvent's shim.c, so fixed by construction).
  static let leafReturnOffset: UInt64 = 5

  /// How a traced call's return is probed, which decides what the return costs.
  public enum ReturnKind: Sendable, Equatable {
    /// A uretprobe (C and other native code): a trap at the trampoline.
    case uretprobe
    /// A probe on the `ret` instruction itself (Go): a trap and a single-step out of line.
    case retInstruction
  }

  /// Defines the entry and return probes of the calibration leaf in `fs`; their tracepoint ids.
  static func defineProbes(_ fs: inout TracefsUprobes, returns: ReturnKind = .uretprobe) throws(CaptureError)
    -> [UInt64]
  {
    let leafAddress = UInt64(
      UInt(bitPattern: unsafeBitCast(perfsh_calibration_leaf as @convention(c) () -> Void, to: UnsafeRawPointer.self)))
    guard let leaf = codeLocation(of: leafAddress) else {
      throw .systemFile(path: "/proc/self/maps", detail: "perfsh's own calibration function is in no mapped file")
    }
    return [
      try fs.define(name: "calib_leaf", path: leaf.path, offset: leaf.offset, isReturn: false),
      returns == .uretprobe
        ? try fs.define(name: "calib_leaf_ret", path: leaf.path, offset: leaf.offset, isReturn: true)
        : try fs.define(
          name: "calib_leaf_ret", path: leaf.path, offset: leaf.offset + leafReturnOffset, isReturn: false),
    ]
  }

  /// The medians of the measured intervals, or why there are too few.
  static func cost(insides: [Int64], outsides: [Int64]) throws(CaptureError) -> ProbeCost {
    guard insides.count >= 100, outsides.count >= 100 else {
      throw .systemFile(
        path: "/sys/kernel/tracing/uprobe_events", detail: "probe calibration saw only \(insides.count) calls")
    }
    return ProbeCost(insideNanos: median(insides), outsideNanos: median(outsides))
  }

  /// Per call of the leaf, in time order: entry → return (inside) and return → next entry
  /// (outside), leaving out intervals the thread was switched out in.
  public static func split(_ hits: [TraceHit], insides: inout [Int64], outsides: inout [Int64]) {
    var previous: TraceHit?
    for hit in hits {
      defer { previous = hit }
      guard let p = previous else { continue }
      let delta = Int64(clamping: hit.time &- min(hit.time, p.time))
      if p.kind == .entry && hit.kind == .return { insides.append(delta) }
      if p.kind == .return && hit.kind == .entry { outsides.append(delta) }
    }
  }

  /// One round: the leaf called `calls` times with its probes enabled; the records in time order.
  static func traceRound(tracepoints ids: [UInt64], calls: UInt64) throws(CaptureError) -> [TraceHit] {
    let rings = PerCPURings()
    try rings.addOwner(
      PerfEventFile.open(
        attributes: calibrationAttributes(PerfEventFile.traceSwitchAttributes(wakeupBytes: 1 << 20)), pid: 0, cpu: -1),
      dataPages: 256)
    var decoder = TraceRecordDecoder()
    for (i, id) in ids.enumerated() {
      let file = try PerfEventFile.open(
        attributes: calibrationAttributes(PerfEventFile.uprobeTracepointAttributes(id: id, wakeupBytes: 1 << 20)),
        pid: 0, cpu: -1)
      decoder.register(id: try file.eventID(), function: 0, isReturn: i == 1)
      try rings.addFollower(file, ring: 0)
    }
    try rings.enable()
    perfsh_calibration_outer(calls)
    rings.disable()
    var merger = RecordMerger(rings: 1, parser: decoder)
    rings.drain(into: &merger)
    var hits: [TraceHit] = []
    merger.flush { hits.append($0) }
    return hits
  }

  /// Calibration events follow only the calling thread and are enabled by hand.
  private static func calibrationAttributes(_ base: perf_event_attr) -> perf_event_attr {
    var attr = base
    attr.inherit = 0
    attr.enable_on_exec = 0
    return attr
  }

  /// The file and file offset that `address` of this process was mapped from (/proc/self/maps).
  static func codeLocation(of address: UInt64) -> (path: String, offset: UInt64)? {
    guard let text = SystemInfo.readSmallFile("/proc/self/maps") else { return nil }
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 6, fields[5].hasPrefix("/") else { continue }
      let range = fields[0].split(separator: "-")
      guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16),
        address >= start, address < end, let offset = UInt64(fields[2], radix: 16)
      else { continue }
      return (fields[5...].joined(separator: " "), address - start + offset)
    }
    return nil
  }

  private static func median(_ values: [Int64]) -> Int64 {
    guard !values.isEmpty else { return 0 }
    return values.sorted()[values.count / 2]
  }
}

extension ProbeCalibration {
  /// The files and offsets of the calibration leaf and of the function that calls it in a loop
  /// (the BPF path calibrates on both with its own programs).
  static func calibrationPair() -> (leaf: (path: String, offset: UInt64), outer: (path: String, offset: UInt64))? {
    let leaf = unsafeBitCast(perfsh_calibration_leaf as @convention(c) () -> Void, to: UnsafeRawPointer.self)
    let outer = unsafeBitCast(perfsh_calibration_outer as @convention(c) (UInt64) -> Void, to: UnsafeRawPointer.self)
    guard let l = codeLocation(of: UInt64(UInt(bitPattern: leaf))),
      let o = codeLocation(of: UInt64(UInt(bitPattern: outer)))
    else { return nil }
    return (l, o)
  }

  /// Calls the calibration leaf `n` times from its loop function.
  static func callLeaf(times n: UInt64) { perfsh_calibration_outer(n) }
}

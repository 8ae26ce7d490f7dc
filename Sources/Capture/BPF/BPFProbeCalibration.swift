import BPFObjects
import CBPF

/// Measures what one traced call costs on the BPF path (uprobe and uretprobe traps running
/// trace.bpf), so the in-kernel aggregates can take it out per call.
///
/// trace.bpf itself is attached to perfsh's calibration pair on the calling thread: the empty
/// leaf (first instruction `push %rbp`, like the traced functions' probe sites) and the outer
/// function that calls it `callsPerRound` times. The leaf's self CPU time per call is the cost
/// inside a call (from the entry program's clock read to the return program's); the outer
/// function's self CPU time, less one such inside part, divided by its calls, is the cost
/// outside each call (charged to the caller). CPU time leaves switched-out time out; the
/// median over the measured rounds (the first is a warm-up) leaves an interrupted round out.
public enum BPFProbeCalibration {
  /// Calls of the leaf per round.
  public static let callsPerRound: UInt64 = 2000

  /// The per-call cost of the BPF path, measured with `rounds` rounds (the first a warm-up).
  public static func measure(rounds: Int = 5) throws(CaptureError) -> ProbeCost {
    guard let pair = ProbeCalibration.calibrationPair() else {
      throw .systemFile(path: "/proc/self/maps", detail: "perfsh's own calibration functions are in no mapped file")
    }
    let sites = BPFCallTracer.sites(for: [pair.leaf, pair.outer])
    let object = try BPFCallTracer.loadObject(functions: 2, cost: .zero, logCapacity: 0)
    let events = BPFProbeEvents(sites: sites)
    // The links hold the events: detached first, then the events and their definitions, in the
    // background (their names are this set's own): ~500 ms of the kernel's RCU waits measured
    // here before the target could start.
    defer { events.release(after: object, inBackground: true) }
    try object.attach("on_switch", rawTracepoint: "sched_switch")
    try events.open(pid: 0, object: object, program: "trace_hit", enableNow: true)
    let stats = try object.map("stats")
    var insides: [Int64] = []
    var outsides: [Int64] = []
    var before = try totals(stats)
    for round in 0..<max(2, rounds) {
      ProbeCalibration.callLeaf(times: callsPerRound)
      let after = try totals(stats)
      defer { before = after }
      guard round > 0 else { continue }
      let leafCalls = Int64(after[0].calls &- before[0].calls)
      let outerCalls = Int64(after[1].calls &- before[1].calls)
      guard leafCalls == Int64(callsPerRound), outerCalls == 1 else { continue }
      let inside = Int64(after[0].cpu_self &- before[0].cpu_self) / leafCalls
      let outerSelf = Int64(after[1].cpu_self &- before[1].cpu_self)
      insides.append(inside)
      outsides.append(max(0, outerSelf - inside) / leafCalls)
    }
    events.disable()
    guard insides.count >= 1 else {
      throw .bpf(operation: "calibrating the BPF trace path (no complete round)", errno: .ioError, log: "")
    }
    return ProbeCost(insideNanos: median(insides), outsideNanos: median(outsides))
  }

  /// Per function, its statistics summed over CPUs.
  private static func totals(_ stats: BPFMap) throws(CaptureError) -> [perfsh_trace_stats] {
    try (0..<2).map { (f) throws(CaptureError) in
      BPFCallTracer.summed(try stats.perCPUValues(at: UInt32(f), as: perfsh_trace_stats.self))
    }
  }

  private static func median(_ values: [Int64]) -> Int64 { values.sorted()[values.count / 2] }
}

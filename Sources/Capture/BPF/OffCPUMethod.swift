/// How `run --off-cpu` captures waits: aggregated in the kernel by BPF programs on
/// `sched_switch` (cheap: no record per switch), or from perf's context-switch records
/// (stack copies unwound with DWARF, exact per-wait timing).
public enum OffCPUMethod: String, Sendable, Equatable, CaseIterable {
  case bpf
  case records
}

/// The method a run uses and why (the reason goes to `info`).
public struct OffCPUChoice: Sendable, Equatable {
  public var method: OffCPUMethod
  public var reason: String

  /// Chooses: a forced method wins (BPF only where it can load); otherwise BPF whenever it can
  /// load — it adds waits up in the kernel, where the record path writes a record per switch
  /// (pingpong 1.3× against 3× the bare CPU). Its user stacks are what the record path's would
  /// be: frame-pointer walks when the record path would walk too (`recordStackBytes` 0: Go, or
  /// every surveyed binary keeps frame pointers), else copies unwound with CFI — one per place
  /// a thread leaves the CPU from, not one per switch.
  public init(requested: OffCPUMethod?, recordStackBytes: Int, bpf: BPFSupport.Availability) {
    switch (requested, bpf) {
    case (.records?, _):
      self.init(.records, "asked for (--off-cpu-method records)")
    case (_, .unavailable(let why)):
      self.init(.records, "BPF is not available (\(why))")
    case (.bpf?, .available):
      self.init(.bpf, "asked for (--off-cpu-method bpf)")
    case (nil, .available):
      if recordStackBytes == 0 {
        self.init(
          .bpf,
          "waits are added up in the kernel; user stacks are frame-pointer walks (the target keeps frame pointers)")
      } else {
        self.init(
          .bpf,
          "waits are added up in the kernel; a binary of the target lacks frame pointers, so each place a thread "
            + "leaves the CPU from copies its user stack once, unwound with CFI")
      }
    }
  }

  private init(_ method: OffCPUMethod, _ reason: String) {
    self.method = method
    self.reason = reason
  }

  /// The line `info` shows.
  public var note: String {
    "off-CPU capture: \(method == .bpf ? "in the kernel (BPF on sched_switch)" : "context-switch records"): \(reason)"
  }
}

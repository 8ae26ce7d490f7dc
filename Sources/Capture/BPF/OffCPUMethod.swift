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

  /// Chooses: a forced method wins (BPF only where it can load); otherwise BPF whenever the
  /// record path would also walk frame pointers (`recordStackBytes` 0: Go, or every surveyed
  /// binary keeps them), since BPF's user stacks are frame-pointer walks and are then as good.
  /// Where a binary lacks frame pointers (Debian's libc), the records' DWARF-unwound copies
  /// keep the caller of the syscall wrapper, which a frame-pointer walk loses.
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
        self.init(.bpf, "the target's stacks are frame-pointer walks on either path, so the cheaper one")
      } else {
        self.init(
          .records,
          "a binary of the target lacks frame pointers, so switch-out stacks are unwound from copies "
            + "(BPF's frame-pointer walks would lose callers of syscall wrappers); --off-cpu-method bpf forces the cheaper path"
        )
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

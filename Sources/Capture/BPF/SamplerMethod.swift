/// How `run` samples on-CPU time: one cpu-clock event per CPU on the target's tasks (inherited,
/// switched in and out with every thread), or one per CPU for every task with a BPF filter that
/// keeps only the target's samples (never switched: cheaper on switch-heavy programs).
public enum SamplerMethod: String, Sendable, Equatable, CaseIterable {
  /// Per-task events (pid = the target), inherited by its threads and children.
  case task
  /// Per-CPU events (pid = -1) filtered in the kernel by `BPFSampleFilter`.
  case cpu
}

/// Where the per-CPU sampler's side-band (mmap, comm, fork, exit records) comes from: the per-CPU
/// events themselves, for every task, with other processes' records dropped in perfsh
/// (`TargetProcessFilter`), or a per-task `dummy` event on the target, inherited and enabled at
/// exec (no filtering, but a per-task event is switched with the target's threads again). A knob
/// for scripts/bench-offcpu; runs use `cpu` (measured cheaper: see the README's benchmark table).
public enum SamplerSideBand: String, Sendable, Equatable, CaseIterable {
  case cpu
  case task
}

/// The sampler a run uses and why (the reason goes to `info`).
public struct SamplerChoice: Sendable, Equatable {
  public var method: SamplerMethod
  public var reason: String

  /// Chooses: a forced method wins (`cpu` where BPF is missing is refused by the capture);
  /// otherwise per-CPU whenever BPF loads and kernel access is allowed (per-CPU events for every
  /// task need CAP_PERFMON or root, as BPF does), since a per-task cpu-clock event has its
  /// hrtimer cancelled and restarted at each context switch of the target.
  public init(requested: SamplerMethod?, bpf: BPFSupport.Availability, kernelAccess: Bool) {
    switch (requested, bpf) {
    case (.task?, _):
      self.init(.task, "asked for (--sampler task)")
    case (.cpu?, _):
      self.init(.cpu, "asked for (--sampler cpu)")
    case (nil, .unavailable(let why)):
      self.init(.task, "BPF is not available (\(why))")
    case (nil, .available):
      if kernelAccess {
        self.init(
          .cpu,
          "BPF is available, and per-CPU events are not switched out and in with the target's threads "
            + "(a per-task timer is, at every context switch)")
      } else {
        self.init(.task, "per-CPU events for every task need root or CAP_PERFMON")
      }
    }
  }

  /// The per-task sampler after the per-CPU one could not be opened.
  public init(fallback reason: String) {
    self.init(.task, reason)
  }

  private init(_ method: SamplerMethod, _ reason: String) {
    self.method = method
    self.reason = reason
  }

  /// The line `info` shows; `counts` (per-CPU only) says what the filter kept and dropped.
  public func note(_ counts: BPFSampleFilter.Counts? = nil) -> String {
    switch method {
    case .task:
      return "on-CPU sampler: per-task cpu-clock events: \(reason)"
    case .cpu:
      let kept = counts.map { " (kept \($0.kept) timer ticks on the target, dropped \($0.dropped) of other tasks)" }
      return "on-CPU sampler: per-CPU cpu-clock events filtered by BPF to the target\(kept ?? ""): \(reason)"
    }
  }
}

/// What to run under the CPU sampler and how.
public struct CaptureRequest: Sendable, Equatable {
  /// The command and its arguments; the first is looked up in PATH when it has no slash.
  public var arguments: [String]
  /// Variables set (or replaced) in the target's environment on top of perfsh's own.
  public var environment: [String: String]
  /// Directory the target starts in; nil keeps perfsh's.
  public var workingDirectory: String?
  /// Samples per second per CPU (`-F`).
  public var frequency: Int
  /// Stop the target after this long: SIGTERM, then SIGKILL after `killGrace`.
  public var timeout: Duration?
  /// Time between SIGTERM and SIGKILL on timeout.
  public var killGrace: Duration
  /// Data pages of each per-CPU ring buffer (rounded up to a power of two).
  public var ringDataPages: Int
  /// Whether kernel frames are wanted (they are only taken when permitted).
  public var kernelFrames: KernelFrames
  /// How user call chains are taken: frame pointers, DWARF unwinding of stack copies, or a
  /// choice made per run from the main executable.
  public var callGraph: CallGraph
  /// Allocation recording (`run --alloc`): the recorder to preload and its rate; nil for none.
  public var allocation: AllocationRequest?
  /// Off-CPU capture (`run --off-cpu`): also record every switch-out and how long until the
  /// thread runs again, as `offcpu` and `wall` columns.
  public var offCPU: Bool = false
  /// How off-CPU capture records (ring size, stack copies, wakeups); defaults for `run`,
  /// varied by scripts/bench-offcpu to measure what each part costs.
  public var offCPUOptions = OffCPUOptions()
  /// How on-CPU time is sampled (`run --sampler`): per-task events, per-CPU events filtered by
  /// BPF, or nil for the automatic choice (per-CPU where BPF and per-CPU events are allowed).
  public var sampler: SamplerMethod?
  /// Where the per-CPU sampler's side-band comes from (a benchmark knob; see `SamplerSideBand`).
  public var samplerSideBand: SamplerSideBand = .cpu
  /// The executable `arguments[0]` names, resolved once (absolute when a working directory is
  /// given) by `resolveExecutable()`; every step of a run (the launch, the call-graph choice,
  /// off-CPU stack copies, the allocation recorder's checks, probe placement, prefetching its
  /// binaries) reads it here instead of searching PATH again. Nil when it does not resolve: the
  /// launch then says why.
  public var executablePath: String?

  /// Resolves `arguments[0]` as the launch will (PATH from `environment`, else perfsh's own),
  /// once: a request already resolved keeps its path.
  public mutating func resolveExecutable() {
    guard executablePath == nil, let name = arguments.first, !name.isEmpty else { return }
    let searchPath =
      environment["PATH"] ?? SystemInfo.environment().last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
    guard var path = try? ExecutableLookup.resolve(name, searchPath: searchPath, workingDirectory: workingDirectory)
    else { return }
    if !path.hasPrefix("/"), let cwd = workingDirectory { path = cwd + "/" + path }
    executablePath = path
  }

  /// Kernel frame policy.
  public enum KernelFrames: Sendable, Equatable {
    /// Include kernel frames when perf_event_paranoid (or privileges) allow it.
    case whenPermitted
    /// User-space frames only.
    case never
  }

  /// Creates a value from its parts.
  public init(
    arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
    frequency: Int = 999, timeout: Duration? = nil, killGrace: Duration = .seconds(2), ringDataPages: Int = 64,
    kernelFrames: KernelFrames = .whenPermitted, callGraph: CallGraph = .auto, allocation: AllocationRequest? = nil
  ) {
    self.allocation = allocation
    self.arguments = arguments
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.frequency = frequency
    self.timeout = timeout
    self.killGrace = killGrace
    self.ringDataPages = ringDataPages
    self.kernelFrames = kernelFrames
    self.callGraph = callGraph
  }
}

/// An in-memory profile: every source (sampler, tracer, pprof, folded stacks) fills one,
/// every analysis reads one.
///
/// The shape follows pprof's profile.proto, with interned strings, dense handles and
/// stacks in a prefix tree instead of per-sample location arrays.
public struct Profile: Sendable {
  public var strings = StringTable()
  /// What each value column measures, e.g. `[samples/count, cpu/nanoseconds]`.
  public var sampleTypes: [ValueType]
  /// Index into `sampleTypes` that reports use unless told otherwise.
  public var defaultSampleType: Int?
  public var periodType: ValueType?
  public var period: Int64 = 0
  /// Wall-clock start in nanoseconds since the Unix epoch (0 when unknown).
  public var timeNanos: Int64 = 0
  public var durationNanos: Int64 = 0
  public var comments: [String] = []
  /// pprof's drop_frames / keep_frames regular expressions and doc URL, kept for round trips.
  public var dropFrames: String = ""
  public var keepFrames: String = ""
  public var docURL: String = ""

  public var mappings: [Mapping] = []
  public var functions: [Function] = []
  public var locations = LocationTable()
  public var stacks = StackTree()
  public var labelSets = LabelSetTable()
  public var samples: SampleTable
  /// What the source knew about the run that produced this profile.
  public var run = RunInfo()
  /// Exact per-call statistics of traced functions; empty for purely sampled profiles.
  public var callStatistics: [FunctionID: CallStatistics] = [:]
  /// Single traced calls with their times (bounded), for timeline exports; nil when not kept.
  public var callEvents: CallEventLog?
  /// Every run of a repeated capture (`run -n N`), in order; empty for a single run or a file.
  public var repeats: [RunRepeat] = []
  /// When the sampled self time was spent (per leaf location and time bucket); nil when the
  /// source had no sample times (loaded pprof or folded files).
  public var timeline: SampleTimeline?

  public init(sampleTypes: [ValueType]) {
    self.sampleTypes = sampleTypes
    self.samples = SampleTable(width: sampleTypes.count)
  }

  // MARK: Lookups

  @inlinable public func string(_ id: StringID) -> String { strings[id] }
  @inlinable public func function(_ id: FunctionID) -> Function { functions[id.index] }
  @inlinable public func location(_ id: LocationID) -> Location { locations[id.index] }
  @inlinable public func mapping(_ id: MappingID) -> Mapping { mappings[id.index] }

  /// The display name of a function.
  @inlinable public func name(of id: FunctionID) -> String { strings[functions[id.index].name] }

  /// Index of the sample type called `type` (e.g. "cpu"), or nil.
  public func sampleTypeIndex(named type: String) -> Int? {
    sampleTypes.firstIndex { $0.type == type }
  }

  /// The column reports use by default: `defaultSampleType`, else the last one (as pprof does).
  public var defaultValueIndex: Int {
    if let d = defaultSampleType, sampleTypes.indices.contains(d) { return d }
    return max(0, sampleTypes.count - 1)
  }

  /// Sum of one value column over all samples.
  public func total(column: Int) -> Int64 {
    var sum: Int64 = 0
    samples.forEachValue(column: column) { sum &+= $0 }
    return sum
  }

  /// Stores a finished profile as compactly as it allows, every value read back unchanged:
  /// value columns that are another times a factor store nothing, columns are re-stored at
  /// their narrowest, spare room is freed and the stack tree's lookup index dropped. Loaders
  /// call it when a profile is complete; later changes still work (and cost a copy).
  public mutating func compact() {
    samples.compact()
    locations.compact()
    stacks.compact()
  }
}

/// What a capture knew about the run behind a profile; fields a source lacks stay nil.
public struct RunInfo: Sendable, Equatable {
  /// The command line as the user typed it.
  public var command: [String]?
  /// How the run ended.
  public var termination: Termination?
  /// Wall time from exec of the target to the exit of its last process.
  public var elapsedNanos: Int64?
  /// User + system CPU time of the whole process tree, from the kernel.
  public var cpuNanos: Int64?
  /// Records the kernel dropped because a ring buffer was full.
  public var lostRecords: Int64 = 0
  /// Complete records perfsh could not parse (counted, not used): a loss like `lostRecords`.
  public var unparsedRecords: Int64 = 0
  /// True when the run was cut short (Ctrl-C or --timeout).
  public var interrupted: Bool = false
  /// Free-form notes a source wants shown in `info`, e.g. which unwinder was used.
  public var notes: [String] = []
  /// Totals and peak of an allocation-recording run (`run --alloc`); nil otherwise.
  public var allocations: AllocationSummary?
  /// Totals of an off-CPU capture (`run --off-cpu`); nil otherwise.
  public var offCPU: OffCPUSummary?

  public init() {}

  /// How a process ended.
  public enum Termination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// The status a shell would report: the code, or 128 + signal.
    public var shellStatus: Int32 {
      switch self {
      case .exited(let code): return code
      case .signaled(let sig): return 128 + sig
      }
    }

    public var description: String {
      switch self {
      case .exited(let code): return "\(code)"
      case .signaled(let sig): return "killed by \(signalName(sig))"
      }
    }
  }
}

/// The conventional name of a Linux signal number, e.g. `SIGSEGV`.
public func signalName(_ sig: Int32) -> String {
  let names: [Int32: String] = [
    1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
    8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
    14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP",
    20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
    26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS",
  ]
  return names[sig] ?? "signal \(sig)"
}

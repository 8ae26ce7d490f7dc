/// Why a command could not do what it was asked (`ShellError.command`), with the facts; every
/// message is built here. Replaces the free-text `ShellError.failed` of the commands below.
public enum CommandFailure: Error, CustomStringConvertible, Equatable, Sendable {
  /// Options given where they do not apply: `export: --max-events applies to chrome only`.
  case optionsDoNotApply(command: String, options: String, scope: String)
  /// Options that only an http:// URL takes (`load --timeout`), given for a file.
  case onlyForURLs(command: String, options: String)
  /// Two options that exclude each other.
  case exclusiveOptions(command: String, first: String, second: String, wording: ExclusiveWording)
  /// A number option outside what it accepts (`expected`, e.g. "at least 1"); `value` when shown.
  case optionOutOfRange(command: String?, option: String, expected: String, value: Int?)
  /// A duration option that does not parse.
  case badDuration(option: String, text: String)
  /// `run` without a command.
  case noCommand(command: String)
  /// A URL (pprof endpoint) that could not be parsed, fetched or read as pprof.
  case endpoint(url: String, problem: String)
  /// A session holds nothing the file format can hold: nothing was written to `file`.
  case nothingToWrite(file: String, session: Int, reason: String)
  /// A session lacks what the command needs (`what` follows "session [N] ").
  case sessionLacks(command: String, session: Int, what: String)
  /// `trace-top` found no selected function in a file uprobes can probe.
  case nothingToProbe(session: Int)
  /// Probes could not be chosen or set up for `command` (`reason` from the resolver or tracer).
  case traceSetup(command: String, reason: String)
  /// A Go function that cannot be traced (a Duff's device entered mid-way).
  case untraceableFunction(name: String, reason: String)
  /// A Go binary built before the register ABI: calls cannot be paired per goroutine.
  case goTooOldToTrace(path: String)
  /// `trace-top` estimated a large slowdown in a script without `--yes` (`estimate` says it).
  case traceNotConfirmed(estimate: String)
  /// `run --trace`'s question after its first part was answered no: `program` was stopped.
  case traceRunDeclined(program: String, seconds: String)
  /// `set tracebackend bpf` cannot be honoured (`reason` says why and what to set instead).
  case traceBackendRefused(command: String, reason: String)
  /// `trace-top`'s question was answered no.
  case traceDeclined
  /// `attach` was refused (no such process, another user's, …): `reason` follows "attach: ".
  case attachRefused(reason: String)
  /// `attach --trace` could not read the process's executable.
  case unreadableExecutable(pid: Int32)
  /// The allocation recorder library is missing; `configured` when PERFSH_ALLOC_LIBRARY named it.
  case allocationRecorderMissing(path: String, library: String, configured: Bool)
  /// `serve stop` with no server.
  case serverNotRunning
  /// `serve` while already serving at `url`.
  case alreadyServing(url: String)
  /// The web server could not start.
  case serverFailed(reason: String)
  /// A repeated benchmark's runs could not be merged.
  case benchMerge(reason: String)
  /// `source` nested past `maximum`: `chain` is the cycle when `cycle`, else the innermost scripts.
  case sourceTooDeep(maximum: Int, chain: [String], cycle: Bool)
  /// `--clock offcpu` asked of a traced session.
  case offCPUClockOfTracedSession(command: String)
  /// A flag that needs traced calls, given for a sampled session.
  case needsExactCalls(command: String, flag: String, session: Int)
  /// A session without the sample type a clock draws (`available` lists what it has).
  case missingSampleType(session: Int, type: String, available: [String])
  /// The command's own default options did not parse (a bug, said as such).
  case defaultOptions(command: String, reason: String)
  /// Writing `file` failed in a way no format error describes.
  case writeFailed(file: String, reason: String)

  /// How `exclusiveOptions` reads.
  public enum ExclusiveWording: Sendable, Equatable {
    /// "--a and --b do not go together"
    case doNotGoTogether
    /// "give --a or --b, not both"
    case notBoth
  }

  /// The lower-case message.
  public var description: String {
    switch self {
    case .optionsDoNotApply(let command, let options, let scope):
      let verb = options.contains(" and ") ? "apply to" : "applies to"
      return "\(command): \(options) \(verb) \(scope)"
    case .onlyForURLs(let command, let options):
      return "\(command): \(options) are for http:// URLs"
    case .exclusiveOptions(let command, let first, let second, let wording):
      switch wording {
      case .doNotGoTogether: return "\(command): \(first) and \(second) do not go together"
      case .notBoth: return "\(command): give \(first) or \(second), not both"
      }
    case .optionOutOfRange(let command, let option, let expected, let value):
      return (command.map { "\($0): " } ?? "") + "\(option) must be \(expected)" + (value.map { ", not \($0)" } ?? "")
    case .badDuration(let option, let text):
      return "\(option): '\(text)' is not a duration (use e.g. 30s, 500ms, 2m)"
    case .noCommand(let command):
      return "\(command): name a command to run"
    case .endpoint(let url, let problem):
      return "\(url): \(problem)"
    case .nothingToWrite(let file, let session, let reason):
      return "\(file): session [\(session)] \(reason)"
    case .sessionLacks(let command, let session, let what):
      return "\(command): session [\(session)] \(what)"
    case .nothingToProbe(let session):
      return "trace-top: no function of session [\(session)] lies in a file that can be probed"
    case .traceSetup(let command, let reason):
      return "\(command): \(reason)"
    case .untraceableFunction(let name, let reason):
      return "run: \(name) is \(reason); leave it out of --trace"
    case .goTooOldToTrace(let path):
      return "run: \(path) was built with Go older than 1.17 (stack-based calling convention: the goroutine is not in "
        + "R14, so calls cannot be paired per goroutine); --trace needs Go 1.17 or later; plain `run` samples it"
    case .traceNotConfirmed(let estimate):
      return estimate + "; add --yes (or 'set traceconfirm off') to trace anyway"
    case .traceRunDeclined(let program, let seconds):
      return "run: stopped \(program) after its first \(seconds)s; not traced"
    case .traceBackendRefused(let command, let reason):
      return "\(command): tracebackend bpf: \(reason)"
    case .traceDeclined:
      return "trace-top: not traced"
    case .attachRefused(let reason):
      return "attach: \(reason)"
    case .unreadableExecutable(let pid):
      return "attach: cannot read /proc/\(pid)/exe to find the functions to trace"
    case .allocationRecorderMissing(let path, let library, let configured):
      return configured
        ? "run --alloc: PERFSH_ALLOC_LIBRARY names \(path), which is not a readable file"
        : "run --alloc: the allocation recorder \(library) is not next to perfsh (\(path)); "
          + "build it with 'swift build' or set PERFSH_ALLOC_LIBRARY"
    case .serverNotRunning:
      return "serve stop: no server is running"
    case .alreadyServing(let url):
      return "already serving at \(url) (serve stop first)"
    case .serverFailed(let reason):
      return "serve: \(reason)"
    case .benchMerge(let reason):
      return "bench: \(reason)"
    case .sourceTooDeep(let maximum, let chain, let cycle):
      return "source nested more than \(maximum) levels deep"
        + (cycle ? "; a file sources itself: " : ": … -> ") + chain.joined(separator: " -> ")
    case .offCPUClockOfTracedSession(let command):
      return "\(command): --clock offcpu needs a sampled run --off-cpu session; traced times have cpu and wall clocks"
    case .needsExactCalls(let command, let flag, let session):
      return "\(command) \(flag) needs exact calls: session [\(session)] was sampled; "
        + "trace functions with 'run --trace PATTERN CMD'"
    case .missingSampleType(let session, let type, let available):
      return "session [\(session)] has no \(type) values (it has \(available.joined(separator: ", ")); "
        + "run --off-cpu records wall and offcpu)"
    case .defaultOptions(let command, let reason):
      return "\(command): \(reason)"
    case .writeFailed(let file, let reason):
      return "\(file): \(reason)"
    }
  }
}

import ArgumentParser
import Capture
import ProfileModel
import Symbolize
import Unwind

/// `attach PID`: profiles a running process for a while and keeps the session, as `run` does.
struct AttachCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "attach",
    abstract: "Profile a running process (all its threads) until Ctrl-C, --duration or its exit; it keeps running.",
    discussion: """
      The session's command line comes from /proc/PID/cmdline; it has no exit status.
      Threads and children the process starts while attached are profiled too.
      --trace puts uprobes on the matching functions of its executable (/proc/PID/exe; LIB:REGEX
      for a library) on every thread; calls already running at attach are counted apart.

      EXAMPLES:
        attach 4242 --duration 5s
        attach --off-cpu --duration 10s 4242
        attach --trace '^parse' --duration 5s 4242
      """)
  static var shell: CommandSpec { CommandSpec(group: .capture, arguments: []) }

  @Argument(help: "The process id.")
  var pid: Int32

  @Option(help: "Stop after this long (e.g. 5s, 500ms); default: until Ctrl-C or the process exits.")
  var duration: String?

  @Option(
    name: [.customShort("F"), .customLong("freq")], help: "Samples per second per CPU (default: the freq setting).")
  var frequency: Int?

  @Flag(name: .customLong("off-cpu"), help: "Also record where threads wait (sample types offcpu and wall).")
  var offCPU = false

  @Option(
    name: .customLong("trace"),
    help: "Trace functions matching this regex (optionally LIB:REGEX) with uprobes on every thread (repeatable).")
  var trace: [String] = []

  @Option(name: .customLong("trace-max"), help: "Allow more than 1000 traced functions.")
  var traceMax: Int?

  @Option(help: "Name of the new session (default: the process's name).")
  var name: String?

  func validate() throws {
    if pid < 1 { throw ValidationError("attach takes a process id of at least 1, not \(pid)") }
    if trace.isEmpty && traceMax != nil { throw ValidationError("--trace-max needs --trace") }
  }

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let limit = try duration.map { text throws(ShellError) in try DurationText.parse(text, option: "--duration") }
    context.flush()
    context.symbolizer.prefetchKernelSymbols()
    var tracing: TraceRun?
    if !trace.isEmpty {
      guard SystemInfo.processIsRunning(pid) else {
        throw .command(.attachRefused(reason: "\(ProcessAttacher.Refusal.noSuchProcess(pid))"))
      }
      guard let executable = SystemInfo.processExecutable(pid) else {
        if let refusal = ProcessAttacher.otherUsersProcess(pid) { throw .command(.attachRefused(reason: "\(refusal)")) }
        throw .command(.unreadableExecutable(pid: pid))
      }
      tracing = try TraceRun.prepare(patterns: trace, limit: traceMax, executable: executable, command: "attach")
    }
    var result: CaptureResult
    do throws(ProcessAttacher.Refusal) {
      result = try ProcessAttacher(unwinding: DWARFUnwinding()).attach(
        pid: pid, frequency: frequency ?? context.settings.frequency, duration: limit,
        offCPU: offCPU || context.settings.offCPU, tracer: tracing?.tracer as? UprobeTracer)
    } catch {
      tracing?.tracer.release()
      throw .command(.attachRefused(reason: error.description))
    }
    context.symbolizer.symbolize(&result.profile)
    tracing?.attach(to: &result.profile, context: context)
    let command = result.profile.run.command ?? ["pid \(pid)"]
    let base = name ?? String(command[0].split(separator: "/").last ?? Substring(command[0]))
    _ = context.addSession(result.profile, name: base, source: .run(command: command))
    if result.lostRecords > 0 {
      context.warn("\(result.lostRecords) records were lost (ring buffer overflow); shares may be skewed: lower -F")
    }
    return .success
  }
}

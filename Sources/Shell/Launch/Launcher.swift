import Capture
import Foundation

/// perfsh's entry point: reads the command line, settings and config file, then runs
/// the prompt, a script, `-c` text or one command, and returns the process exit status.
public enum Launcher {
  /// Exit status for a bad perfsh command line.
  public static let usageStatus: Int32 = 2

  /// Runs perfsh with `arguments` (without the program name).
  public static func main(arguments: [String], environment: [String: String]) -> Int32 {
    let out = OutputChannel.standardOutput()
    let err = OutputChannel.standardError()
    defer {
      out.flush()
      err.flush()
      // Probes and BPF programs still being released (after everything was printed): their
      // tracefs definitions must be gone before perfsh is.
      BackgroundRelease.waitForAll()
    }
    let options: LaunchOptions
    do throws(ShellError) {
      options = try LaunchOptions.parse(arguments, isFile: isRegularFile)
    } catch {
      err.write("perfsh: \(error)\n")
      return usageStatus
    }
    switch options.mode {
    case .help:
      out.write(LaunchOptions.helpText())
      return 0
    case .version:
      out.write("perfsh \(PerfshVersion.current)\n")
      return 0
    case .command(let words) where words.first == "run":
      // The per-CPU sampler's BPF filter loads on the other CPU while perfsh starts up.
      if !words.prefix(while: { $0 != "--" }).contains(where: { $0 == "--no-sample" || $0.hasPrefix("--sampler") }) {
        BPFSampleFilter.preload()
      }
    default:
      break
    }

    // Probes a killed perfsh left in the kernel go first, whatever this start is for.
    for stale in TracefsUprobes.removeStaleGroups() { err.write("perfsh: \(stale.message)\n") }
    err.flush()
    // From here SIGHUP ends perfsh between commands (history saved, terminal restored),
    // and during a run it is relayed to the target like SIGTERM.
    Hangup.watch()

    let paths = ShellPaths(environment: environment)
    let config = readConfig(paths.configFile, err: err)
    let settings: Settings
    do throws(ShellError) {
      let resolved = try Settings.resolve(flags: options.settings, environment: environment, config: config)
      settings = resolved.settings
      for warning in resolved.warnings { err.write("perfsh: \(warning)\n") }
    } catch {
      err.write("perfsh: \(error)\n")
      return usageStatus
    }
    let context = ShellContext(
      out: out, err: err, settings: settings, environment: environment,
      outputIsTerminal: Terminal.isTerminal(1), terminalWidth: Terminal.width(environment: environment))
    context.keepGoing = options.keepGoing
    context.inputIsTerminal = Terminal.isTerminal(0)
    let status = run(options, context: context)
    // The process exits right after this returns: flush, then keep the context (and its
    // sessions) alive, so exit does not free every string and stack of every session one by
    // one first (a tenth of `perfsh -c 'load big.pb.gz; top'`).
    out.flush()
    err.flush()
    _ = Unmanaged.passRetained(context)
    return status
  }

  /// Runs the chosen mode in a prepared context.
  public static func run(_ options: LaunchOptions, context: ShellContext) -> Int32 {
    switch options.mode {
    case .help, .version:
      return 0
    case .command(let words):
      let sessionsBefore = context.sessions.sessions.count
      let status: CommandStatus
      do throws(ShellError) {
        status = try CommandExecutor.run(words: words, in: context)
        context.flush()
      } catch {
        context.flush()
        if error != .alreadyReported { context.report(error.description) }
        return error.exitStatus
      }
      if Hangup.received { return hungUp(context) }
      guard words.first == "run", context.sessions.sessions.count > sessionsBefore else { return status.exitStatus }
      return afterOneShotRun(words, status: status, options: options, context: context)
    case .commandString(let text, let arguments):
      let reader = HangupAwareReader(ScriptedLineReader(text: text))
      let status = ScriptRunner(context: context).run(reader, file: "-c", arguments: arguments).exitStatus
      return Hangup.received ? hungUp(context) : status
    case .script(let path, let arguments):
      let text: String
      do throws(ShellError) {
        text = try ScriptFile.read(path)
      } catch {
        context.report(error.description)
        return 1
      }
      let reader = HangupAwareReader(ScriptedLineReader(text: text))
      let status = ScriptRunner(context: context).run(reader, file: path, arguments: arguments).exitStatus
      return Hangup.received ? hungUp(context) : status
    case .shell:
      guard Terminal.isTerminal(0) else {
        let reader = HangupAwareReader(StandardInputReader())
        let status = ScriptRunner(context: context).run(reader, file: "stdin", arguments: []).exitStatus
        return Hangup.received ? hungUp(context) : status
      }
      let reader: EditLineReader
      do throws(ShellError) {
        reader = try EditLineReader(historyFile: context.paths.historyFile, historySize: context.settings.historySize)
      } catch {
        context.warn("\(error); history will not be saved")
        do throws(ShellError) {
          reader = try EditLineReader(historyFile: nil, historySize: context.settings.historySize)
        } catch {
          context.warn(error.description)
          return 1
        }
      }
      return InteractiveShell(context: context, reader: reader).run(runRCFile: !options.skipRC)
    }
  }

  /// After SIGHUP: says so (the terminal may be gone; stderr may still be read) and gives
  /// the status shells use for it, 129.
  static func hungUp(_ context: ShellContext) -> Int32 {
    context.flush()
    context.warn("hangup (SIGHUP): stopping")
    return Hangup.exitStatus
  }

  /// `perfsh run CMD`: on a terminal the shell opens with the new session current (unless
  /// `--heatmap` already showed the interactive view); without one, the summary and the
  /// top 10 are printed. Either way perfsh ends with CMD's exit status.
  static func afterOneShotRun(_ words: [String], status: CommandStatus, options: LaunchOptions, context: ShellContext)
    -> Int32
  {
    let heatmapShown = words.prefix { $0 != "--" }.contains("--heatmap")
    if context.inputIsTerminal && context.outputIsTerminal {
      if heatmapShown { return status.exitStatus }
      var shellOptions = options
      shellOptions.mode = .shell
      context.quitStatus = nil
      let shellStatus = run(shellOptions, context: context)
      // `quit N` in that shell decides; leaving it otherwise (Ctrl-D) keeps CMD's status.
      return context.quitStatus != nil || Hangup.received ? shellStatus : status.exitStatus
    }
    if !heatmapShown {
      do throws(ShellError) {
        context.out.write("\n")
        _ = try CommandExecutor.run(words: ["summary"], in: context)
        context.out.write("\n")
        _ = try CommandExecutor.run(words: ["top", "10"], in: context)
      } catch {
        context.report(error.description)
      }
      context.flush()
    }
    return status.exitStatus
  }

  private static func isRegularFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
  }

  private static func readConfig(_ path: String, err: OutputChannel) -> ConfigFile? {
    guard !TextFile.isMissing(path) else { return nil }
    do throws(ShellError) {
      return ConfigFile(path: path, text: try TextFile.read(path))
    } catch {
      err.write("perfsh: \(error); using defaults\n")
      return nil
    }
  }
}

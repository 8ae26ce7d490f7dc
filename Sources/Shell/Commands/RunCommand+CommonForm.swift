/// `run`'s common forms parsed by hand: `perfsh run ./app` pays swift-argument-parser's first
/// parse in the process before the target starts (~3 ms of runtime type and conformance
/// lookups over the statically linked binary's tables), for words a loop reads in microseconds.
extension RunCommand {
  /// `run [-F N] [-n N] [--name S] [--env K=V]… [--cwd D] [--timeout T] [--call-graph C]
  /// [--heatmap] [--off-cpu] [--alloc] [--] CMD ARGS…`, each option at most once (`--env`
  /// repeats) and as `--opt V` or `--opt=V`; anything else (other flags, an empty value or one
  /// that starts with `-`, a bad number, no command) is left to the parser. `validate()` still runs.
  static func parseCommonForm(_ arguments: [String]) -> RunCommand? {
    var run = RunCommand.defaults
    var seen: Set<String> = []  // options and flags given so far, by their canonical spelling
    var index = 0
    while index < arguments.count {
      let word = arguments[index]
      guard word != "--", word.hasPrefix("-") else {
        run.command = Array(arguments[index...])
        break
      }
      var flag = word
      var attached: String?
      if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
        flag = String(word[..<equals])
        attached = String(word[word.index(after: equals)...])
      }
      if let set = CommonRunFlag.flags[flag] {
        guard attached == nil, seen.insert(flag).inserted else { return nil }
        set(&run)
        index += 1
        continue
      }
      guard let option = CommonRunOption.options[flag] else { return nil }
      let value: String
      if let attached {
        value = attached
        index += 1
      } else {
        guard index + 1 < arguments.count else { return nil }
        value = arguments[index + 1]
        index += 2
      }
      guard !value.isEmpty, !value.hasPrefix("-"), option.repeats || seen.insert(option.key).inserted,
        option.set(&run, value)
      else { return nil }
    }
    return run.command.isEmpty ? nil : run
  }

  /// Every property at the parser's default (the wrappers must all be set before they are read).
  static var defaults: RunCommand {
    var run = RunCommand()
    run.repeats = 1
    run.frequency = nil
    run.name = nil
    run.environment = []
    run.cwd = nil
    run.timeout = nil
    run.callGraph = "auto"
    run.heatmap = false
    run.heatmapMode = .bar
    run.trace = []
    run.traceMax = nil
    run.noSample = false
    run.yes = false
    run.alloc = false
    run.allocRate = nil
    run.offCPU = false
    run.offCPUMethod = nil
    run.sampler = nil
    run.pprofEndpoint = nil
    run.command = []
    return run
  }
}

/// A `run` option `parseCommonForm` takes: its canonical key, whether it may repeat, and how it
/// is stored (false for a value the parser would reject, e.g. `-F x`).
struct CommonRunOption: Sendable {
  var key: String
  var repeats = false
  var set: @Sendable (inout RunCommand, String) -> Bool

  static let options: [String: CommonRunOption] = {
    let frequency = CommonRunOption(key: "--freq") { run, value in
      guard let n = Int(value) else { return false }
      run.frequency = n
      return true
    }
    let repeats = CommonRunOption(key: "--repeat") { run, value in
      guard let n = Int(value) else { return false }
      run.repeats = n
      return true
    }
    /// A string option stored as given.
    func text(_ key: String, repeats: Bool = false, _ store: @escaping @Sendable (inout RunCommand, String) -> Void)
      -> CommonRunOption
    {
      CommonRunOption(key: key, repeats: repeats) { run, value in
        store(&run, value)
        return true
      }
    }
    return [
      "-F": frequency, "--freq": frequency, "-n": repeats, "--repeat": repeats,
      "--name": text("--name") { $0.name = $1 },
      "--env": text("--env", repeats: true) { $0.environment.append($1) },
      "--cwd": text("--cwd") { $0.cwd = $1 },
      "--timeout": text("--timeout") { $0.timeout = $1 },
      "--call-graph": text("--call-graph") { $0.callGraph = $1 },
    ]
  }()
}

/// The `run` flags `parseCommonForm` takes.
enum CommonRunFlag {
  static let flags: [String: @Sendable (inout RunCommand) -> Void] = [
    "--heatmap": { $0.heatmap = true },
    "--off-cpu": { $0.offCPU = true },
    "--alloc": { $0.alloc = true },
  ]
}

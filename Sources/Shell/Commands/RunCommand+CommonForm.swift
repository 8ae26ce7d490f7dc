/// `run`'s common forms parsed by hand: `perfsh run ./app` pays swift-argument-parser's first
/// parse in the process before the target starts (~3 ms of runtime type and conformance
/// lookups over the statically linked binary's tables), for words a loop reads in microseconds.
extension RunCommand {
  /// `run [-F N] [-n N] [--name S] [--env K=V]… [--cwd D] [--timeout T] [--call-graph C]
  /// [--heatmap] [--off-cpu] [--alloc] [--] CMD ARGS…`, each option at most once (`--env`
  /// repeats) and as `--opt V` or `--opt=V`; anything else (other flags, an empty value or one
  /// that starts with `-`, a bad number, no command) is left to the parser. `validate()` still runs.
  static func parseCommonForm(_ arguments: [String]) -> RunCommand? {
    var form = CommonForm()
    var index = 0
    while index < arguments.count {
      let word = arguments[index]
      if word == "--" {
        form.command = Array(arguments[index...])
        break
      }
      guard word.hasPrefix("-") else {
        form.command = Array(arguments[index...])
        break
      }
      var flag = word
      var attached: String?
      if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
        flag = String(word[..<equals])
        attached = String(word[word.index(after: equals)...])
      }
      if let set = CommonForm.flags[flag] {
        guard attached == nil, form.seen.insert(flag).inserted else { return nil }
        set(&form)
        index += 1
        continue
      }
      guard let option = CommonForm.options[flag] else { return nil }
      let value: String
      if let attached {
        value = attached
        index += 1
      } else {
        guard index + 1 < arguments.count else { return nil }
        value = arguments[index + 1]
        index += 2
      }
      guard !value.isEmpty, !value.hasPrefix("-"), option.repeats || form.seen.insert(option.key).inserted,
        option.set(&form, value)
      else { return nil }
    }
    guard !form.command.isEmpty else { return nil }
    return form.runCommand()
  }
}

/// The values `RunCommand.parseCommonForm` fills in before they become a `RunCommand`.
struct CommonForm: Sendable {
  var repeats = 1
  var frequency: Int?
  var name: String?
  var environment: [String] = []
  var cwd: String?
  var timeout: String?
  var callGraph = "auto"
  var heatmap = false
  var offCPU = false
  var alloc = false
  var command: [String] = []
  /// Options and flags given so far (by their canonical spelling).
  var seen: Set<String> = []

  /// An option that takes a value: its canonical key, whether it may repeat, and how it is stored
  /// (false for a value the parser would reject, e.g. `-F x`).
  struct Option: Sendable {
    var key: String
    var repeats = false
    var set: @Sendable (inout CommonForm, String) -> Bool
  }

  static let options: [String: Option] = {
    let frequency = Option(key: "--freq") { form, value in
      guard let n = Int(value) else { return false }
      form.frequency = n
      return true
    }
    let repeats = Option(key: "--repeat") { form, value in
      guard let n = Int(value) else { return false }
      form.repeats = n
      return true
    }
    return [
      "-F": frequency, "--freq": frequency, "-n": repeats, "--repeat": repeats,
      "--name": Option(key: "--name") { form, value in
        form.name = value
        return true
      },
      "--env": Option(key: "--env", repeats: true) { form, value in
        form.environment.append(value)
        return true
      },
      "--cwd": Option(key: "--cwd") { form, value in
        form.cwd = value
        return true
      },
      "--timeout": Option(key: "--timeout") { form, value in
        form.timeout = value
        return true
      },
      "--call-graph": Option(key: "--call-graph") { form, value in
        form.callGraph = value
        return true
      },
    ]
  }()

  static let flags: [String: @Sendable (inout CommonForm) -> Void] = [
    "--heatmap": { $0.heatmap = true },
    "--off-cpu": { $0.offCPU = true },
    "--alloc": { $0.alloc = true },
  ]

  /// The command these values make; every other property gets the parser's default.
  func runCommand() -> RunCommand {
    var run = RunCommand()
    run.repeats = repeats
    run.frequency = frequency
    run.name = name
    run.environment = environment
    run.cwd = cwd
    run.timeout = timeout
    run.callGraph = callGraph
    run.heatmap = heatmap
    run.heatmapMode = .bar
    run.trace = []
    run.traceMax = nil
    run.noSample = false
    run.yes = false
    run.alloc = alloc
    run.allocRate = nil
    run.offCPU = offCPU
    run.offCPUMethod = nil
    run.sampler = nil
    run.pprofEndpoint = nil
    run.command = command
    return run
  }
}

import Foundation

/// What a finished perfsh (or other) process left behind.
public struct ProcessResult: Sendable, Equatable {
  /// Everything written to standard output.
  public var stdout: String
  /// Everything written to standard error.
  public var stderr: String
  /// The exit status (128+N when killed by signal N).
  public var status: Int32

  /// Makes a result (tests compare against these).
  public init(stdout: String, stderr: String, status: Int32) {
    self.stdout = stdout
    self.stderr = stderr
    self.status = status
  }
}

/// Finds and runs the built `perfsh` executable, the way a user would.
public enum PerfshBinary {
  /// Why the binary could not be run.
  public struct NotFound: Error, CustomStringConvertible {
    /// Where it was looked for.
    public var searched: [String]
    /// The lower-case message.
    public var description: String {
      "perfsh binary not found (looked in \(searched.joined(separator: ", "))); run 'swift build --build-tests'"
    }
  }

  /// The built binary: `$PERFSH_BINARY`, else next to the test bundle
  /// (`.build/debug/perfsh`), else the package's `.build/debug/perfsh`.
  public static func url() throws -> URL {
    var candidates: [URL] = []
    if let explicit = ProcessInfo.processInfo.environment["PERFSH_BINARY"] {
      candidates.append(URL(fileURLWithPath: explicit))
    }
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("perfsh"))
    }
    if let executable = Bundle.main.executableURL {
      candidates.append(executable.deletingLastPathComponent().appendingPathComponent("perfsh"))
    }
    let testBinary = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
    candidates.append(testBinary.deletingLastPathComponent().appendingPathComponent("perfsh"))
    let packageRoot = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(packageRoot.appendingPathComponent(".build/debug/perfsh"))
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
      return candidate.standardizedFileURL
    }
    throw NotFound(searched: candidates.map(\.path))
  }

  /// An environment for a hermetic run: HOME, XDG folders and PATH (with perfsh's
  /// folder first) point into `home`; NO_COLOR and PERFSH_* from the caller are dropped.
  public static func environment(home: URL, extra: [String: String] = [:]) throws -> [String: String] {
    let binaryDirectory = try url().deletingLastPathComponent().path
    var environment: [String: String] = [
      "HOME": home.path,
      "XDG_STATE_HOME": home.appendingPathComponent("state").path,
      "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
      "PATH": binaryDirectory + ":/usr/local/bin:/usr/bin:/bin",
      "LANG": "C.UTF-8",
      "TERM": "xterm-256color",
    ]
    environment.merge(extra) { _, new in new }
    return environment
  }

  /// Runs perfsh with `arguments`, feeding `stdin`, and waits for it to finish.
  public static func run(
    _ arguments: [String], stdin: String = "", environment: [String: String],
    directory: URL? = nil
  ) throws -> ProcessResult {
    try ProcessRunner.run(try url(), arguments, stdin: stdin, environment: environment, directory: directory)
  }
}

/// Runs any executable with captured output (used for perfsh, shebang scripts and tmux).
public enum ProcessRunner {
  /// Runs `executable` and collects stdout, stderr and the exit status.
  ///
  /// Uses `posix_spawn` and `waitpid` with files for the three streams: Foundation's
  /// `Process` waits for every inherited descriptor to close, which never happens when
  /// the child leaves a daemon behind (the tmux server).
  public static func run(
    _ executable: URL, _ arguments: [String], stdin: String = "", environment: [String: String]? = nil,
    directory: URL? = nil
  ) throws -> ProcessResult {
    let scratch = try temporaryDirectory("output")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let inPath = scratch.appendingPathComponent("stdin").path
    let outPath = scratch.appendingPathComponent("stdout").path
    let errPath = scratch.appendingPathComponent("stderr").path
    try Data(stdin.utf8).write(to: URL(fileURLWithPath: inPath))

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

    let environmentList = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
    // Changing directory goes through sh (posix_spawn_file_actions_addchdir_np does not import).
    let program = directory == nil ? executable.path : "/bin/sh"
    let argv =
      directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0.path, executable.path] + arguments }
      ?? [executable.path] + arguments
    var cArgv = argv.map { strdup($0) } + [nil]
    var cEnv = environmentList.map { strdup($0) } + [nil]
    defer {
      cArgv.forEach { free($0) }
      cEnv.forEach { free($0) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, program, &actions, nil, &cArgv, &cEnv)
    guard spawned == 0 else {
      throw CocoaError(
        .fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable.path): errno \(spawned)"])
    }
    var raw: Int32 = 0
    while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
    let signal = raw & 0x7f
    let status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    let outData = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
    let errData = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
    return ProcessResult(
      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
      status: status)
  }

  /// A fresh empty folder under the system temporary folder.
  public static func temporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("perfsh-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

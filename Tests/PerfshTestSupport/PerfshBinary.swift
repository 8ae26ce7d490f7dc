import Foundation

/// What a finished perfsh (or other) process left behind.
public struct ProcessResult: Sendable, Equatable {
  /// Everything written to standard output.
  public var stdout: String
  /// Everything written to standard error.
  public var stderr: String
  /// The exit status (128+N when killed by signal N).
  public var status: Int32
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
  public static func run(
    _ executable: URL, _ arguments: [String], stdin: String = "", environment: [String: String]? = nil,
    directory: URL? = nil
  ) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    let input = Pipe()
    let output = Pipe()
    let error = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
      outData = output.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    group.enter()
    DispatchQueue.global().async {
      errData = error.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try? input.fileHandleForWriting.close()
    group.wait()
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal
      ? 128 + process.terminationStatus : process.terminationStatus
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

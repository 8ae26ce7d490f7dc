import Foundation

/// A real terminal for interactive tests: a detached tmux session on a private server
/// socket, driven with `send-keys` and read with `capture-pane`.
public final class TmuxSession {
  /// Why tmux could not be driven.
  public struct Failure: Error, CustomStringConvertible {
    /// The lower-case message.
    public var description: String
  }

  private let socket: String
  private let tmux: URL
  /// The session's name on its server.
  public let name = "perfsh"

  /// Starts `command` (a shell command line) in a new session of `columns`×`rows`.
  public init(command: String, columns: Int = 100, rows: Int = 30) throws {
    guard
      let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
        .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    else { throw Failure(description: "tmux is not installed (scripts/test installs it)") }
    self.tmux = URL(fileURLWithPath: tmux)
    socket = "perfsh-test-\(UUID().uuidString.prefix(8))"
    let result = try run([
      "new-session", "-d", "-s", name, "-x", String(columns), "-y", String(rows), command,
    ])
    guard result.status == 0 else { throw Failure(description: "tmux new-session failed: \(result.stderr)") }
  }

  deinit { _ = try? run(["kill-server"]) }

  /// Sends keys as tmux names them (`"Enter"`, `"Up"`, `"Tab"`, `"C-c"`, `"C-d"`).
  public func sendKeys(_ keys: String...) throws {
    _ = try run(["send-keys", "-t", name] + keys)
  }

  /// Changes the terminal's size (the program gets SIGWINCH).
  public func resize(columns: Int, rows: Int) throws {
    _ = try run(["resize-window", "-t", name, "-x", String(columns), "-y", String(rows)])
  }

  /// Types text literally (no key-name lookup).
  public func type(_ text: String) throws {
    _ = try run(["send-keys", "-t", name, "-l", text])
  }

  /// The visible screen, trailing blank lines removed.
  public func screen() throws -> String {
    let text = try run(["capture-pane", "-p", "-t", name]).stdout
    return text.split(separator: "\n", omittingEmptySubsequences: false)
      .map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
      .joined(separator: "\n").trimmingCharacters(in: .newlines)
  }

  /// Polls the screen until `condition` holds; returns the last screen either way.
  /// Gives up after `attempts` polls 50 ms apart (no time is asserted).
  @discardableResult
  public func waitForScreen(attempts: Int = 200, _ condition: (String) -> Bool) throws -> String {
    var last = ""
    for _ in 0..<attempts {
      last = try screen()
      if condition(last) { return last }
      usleep(50_000)
    }
    return last
  }

  private func run(_ arguments: [String]) throws -> ProcessResult {
    try ProcessRunner.run(tmux, ["-L", socket, "-f", "/dev/null"] + arguments)
  }
}

/// The perfsh command lines the terminal tests type into tmux: hermetic (their own home and
/// environment), so every interactive test starts perfsh the same way.
extension TmuxSession {
  /// `KEY='VALUE' …` for perfsh's hermetic environment in `home` (sorted, for `env -i`).
  public static func environmentAssignments(home: URL, extra: [String: String] = [:]) throws -> String {
    try PerfshBinary.environment(home: home, extra: extra).sorted { $0.key < $1.key }
      .map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
  }

  /// A shell command line that runs perfsh with `arguments` in `home` without colour (the
  /// selection shows as `>`), followed by the shell text `after`.
  public static func uncolouredCommandLine(home: URL, _ arguments: String, then after: String = "") throws -> String {
    var env = try PerfshBinary.environment(home: home, extra: ["NO_COLOR": "1"])
    env["PERFSH_COLOR"] = nil
    let exports = env.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
    let binary = try PerfshBinary.url().path
    return "cd '\(home.path)' && env \(exports) '\(binary)' \(arguments)\(after)"
  }

  /// Starts perfsh with `arguments` under `/bin/sh`, which stays behind to print
  /// `[perfsh exited N]` (read by `exitStatus`); it traps SIGINT so it outlives a Ctrl-C
  /// (Ctrl-C reaches the whole foreground group). Waits for the prompt.
  public static func perfshBehindShell(home: URL, arguments: String) throws -> TmuxSession {
    let binary = try PerfshBinary.url().path
    let script = "trap : INT; \"$0\" \(arguments); echo \"[perfsh exited $?]\"; exec sleep 3600"
    let session = try TmuxSession(
      command: "env -i \(try environmentAssignments(home: home)) /bin/sh -c '\(script)' '\(binary)'")
    try session.waitForScreen { $0.hasSuffix("perfsh>") }
    return session
  }

  /// The status perfsh exited with, as `perfshBehindShell`'s shell printed it; nil when it did
  /// not exit while polled.
  public func exitStatus() throws -> Int32? {
    let screen = try waitForScreen { $0.contains("[perfsh exited ") }
    guard let range = screen.range(of: "[perfsh exited ") else { return nil }
    return Int32(screen[range.upperBound...].prefix { $0.isNumber })
  }
}

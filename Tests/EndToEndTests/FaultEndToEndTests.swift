import Foundation
import PerfshTestSupport
import XCTest

/// Faults around a running capture, on the built perfsh and real processes: perfsh killed
/// (SIGKILL) or hung up on (SIGHUP) during `run` and `run --trace`, a target that ignores
/// SIGINT and SIGTERM, a set-user-ID target, a daemonizing target, and `--trace` as a
/// normal user. Every wait is bounded; every process started here is killed by pid.
final class FaultEndToEndTests: XCTestCase {
  private static let root = Workloads.packageRoot
  private var home: URL!
  private var started: [pid_t] = []

  override func setUpWithError() throws {
    home = try ProcessRunner.temporaryDirectory("faults")
    chmod(home.path, 0o755)
    _ = try Workloads.path("sleeper")
  }

  override func tearDownWithError() throws {
    for pid in started where Fault.isRunning(pid) {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      _ = waitpid(pid, &status, WNOHANG)
    }
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  // MARK: - perfsh killed or hung up on during a run

  func testSIGKILLDuringTracedRunLeavesNoProbesAfterTheNextStartAndKillsTheTarget() throws {
    try PerfEvents.skipUnlessAvailable()
    try requireTracefs()
    let perfsh = try Fault.spawnPerfsh(
      ["-c", "run --trace '^sleeper_spin$' examples/bin/sleeper"], home: home, directory: Self.root)
    started.append(perfsh.pid)
    let target = try awaitTarget(of: perfsh, named: "sleeper")
    started.append(target)
    XCTAssertTrue(Fault.waitUntil { Fault.uprobeEvents().contains("perfsh_\(perfsh.pid)/") }, "no probes appeared")

    kill(perfsh.pid, SIGKILL)
    XCTAssertEqual(Fault.waitForExit(perfsh.pid), 128 + SIGKILL)
    XCTAssertTrue(Fault.waitUntil { !Fault.isRunning(target) }, "the target outlived perfsh (pid \(target))")

    let leftBefore = Fault.uprobeEvents().contains("perfsh_\(perfsh.pid)/")
    let next = try PerfshBinary.run(["-c", "echo started"], environment: try environment(), directory: Self.root)
    XCTAssertEqual(next.status, 0, next.stderr)
    XCTAssertEqual(next.stdout, "started\n")
    XCTAssertFalse(Fault.uprobeEvents().contains("perfsh_\(perfsh.pid)/"), Fault.uprobeEvents())
    if leftBefore {
      // (Another perfsh starting in between may have cleaned up first; then no message is due.)
      // Entry and return probes of the traced function and of the probe-cost calibration.
      XCTAssertNotNil(
        next.stderr.range(
          of: #"perfsh: removed [0-9]+ uprobe definitions left by perfsh \#(perfsh.pid), which was killed"#,
          options: .regularExpression),
        next.stderr)
    }
  }

  func testSIGHUPDuringTracedRunKeepsTheSessionRemovesProbesAndEndsPerfsh() throws {
    try PerfEvents.skipUnlessAvailable()
    try requireTracefs()
    let perfsh = try Fault.spawnPerfsh(
      ["-c", "run --trace '^sleeper_spin$' examples/bin/sleeper\necho after the hangup"], home: home,
      directory: Self.root)
    started.append(perfsh.pid)
    let target = try awaitTarget(of: perfsh, named: "sleeper")
    started.append(target)
    XCTAssertTrue(Fault.waitUntil { Fault.uprobeEvents().contains("perfsh_\(perfsh.pid)/") }, "no probes appeared")

    kill(perfsh.pid, SIGHUP)
    XCTAssertEqual(Fault.waitForExit(perfsh.pid), 129, perfsh.stderr())
    XCTAssertFalse(Fault.isRunning(target))
    XCTAssertFalse(Fault.uprobeEvents().contains("perfsh_\(perfsh.pid)/"), Fault.uprobeEvents())
    let out = perfsh.stdout()
    XCTAssertTrue(out.contains("[1] sleeper") && out.contains("exit killed by SIGHUP"), out)
    XCTAssertTrue(out.contains("calls "), "the traced session was not kept:\n\(out)")
    XCTAssertFalse(out.contains("after the hangup"), out)
    XCTAssertTrue(perfsh.stderr().contains("perfsh: hangup (SIGHUP): stopping"), perfsh.stderr())
  }

  func testSIGKILLDuringSampledRunKillsTheTarget() throws {
    try PerfEvents.skipUnlessAvailable()
    let perfsh = try Fault.spawnPerfsh(["run", "examples/bin/sleeper"], home: home, directory: Self.root)
    started.append(perfsh.pid)
    let target = try awaitTarget(of: perfsh, named: "sleeper")
    started.append(target)
    kill(perfsh.pid, SIGKILL)
    XCTAssertEqual(Fault.waitForExit(perfsh.pid), 128 + SIGKILL)
    XCTAssertTrue(Fault.waitUntil { !Fault.isRunning(target) }, "the target outlived perfsh (pid \(target))")
  }

  func testSIGHUPDuringSampledRunIsPassedToTheTarget() throws {
    try PerfEvents.skipUnlessAvailable()
    let perfsh = try Fault.spawnPerfsh(["run", "examples/bin/sleeper"], home: home, directory: Self.root)
    started.append(perfsh.pid)
    let target = try awaitTarget(of: perfsh, named: "sleeper")
    started.append(target)
    kill(perfsh.pid, SIGHUP)
    XCTAssertEqual(Fault.waitForExit(perfsh.pid), 129, perfsh.stderr())
    XCTAssertFalse(Fault.isRunning(target))
    XCTAssertTrue(perfsh.stdout().contains("exit killed by SIGHUP"), perfsh.stdout())
  }

  func testSIGHUPStopsAScriptAndTheFileItSources() throws {
    try PerfEvents.skipUnlessAvailable()
    let sleeper = try Workloads.path("sleeper")
    try "run \(sleeper)\necho inner after\n".write(
      to: home.appendingPathComponent("inner.perfsh"), atomically: true, encoding: .utf8)
    let outer = home.appendingPathComponent("outer.perfsh")
    try "source inner.perfsh\necho outer after\n".write(to: outer, atomically: true, encoding: .utf8)
    let perfsh = try Fault.spawnPerfsh([outer.path], home: home, directory: home)
    started.append(perfsh.pid)
    let target = try awaitTarget(of: perfsh, named: "sleeper")
    started.append(target)
    kill(perfsh.pid, SIGHUP)
    XCTAssertEqual(Fault.waitForExit(perfsh.pid), 129, perfsh.stderr())
    XCTAssertFalse(Fault.isRunning(target))
    let out = perfsh.stdout()
    XCTAssertTrue(out.contains("exit killed by SIGHUP"), out)
    XCTAssertFalse(out.contains("after"), out)
  }

  func testSIGHUPAtThePromptEndsPerfshWithTheTerminalRestoredAndHistorySaved() throws {
    let binary = try PerfshBinary.url().path
    let environment = try PerfshBinary.environment(home: home)
    let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
    // sh stays behind perfsh to print its status and the terminal's modes after it.
    let script =
      #""$0" --no-rc; echo "[perfsh exited $?]"; echo "[modes $(stty -a | tr " ;" "\n\n" | grep -E "^-?(icanon|echo)$" | tr "\n" " ")]"; exec sleep 3600"#
    let shell: TmuxSession
    do {
      shell = try TmuxSession(command: "env -i \(assignments) /bin/sh -c '\(script)' '\(binary)'")
    } catch {
      throw XCTSkip("\(error)")
    }
    var screen = try shell.waitForScreen { $0.hasSuffix("perfsh>") }
    XCTAssertTrue(screen.hasSuffix("perfsh>"), screen)
    try shell.type("echo before the hangup")
    try shell.sendKeys("Enter")
    screen = try shell.waitForScreen { $0.hasSuffix("before the hangup\nperfsh>") }
    let pid = try XCTUnwrap(Fault.processes(named: "perfsh", home: home).first, "perfsh not found in /proc")

    kill(pid, SIGHUP)
    screen = try shell.waitForScreen { $0.contains("[modes ") }
    XCTAssertTrue(screen.contains("[perfsh exited 129]"), screen)
    XCTAssertTrue(screen.contains("[modes icanon echo ]"), "the terminal was left in editing mode:\n\(screen)")
    // libedit's history file encodes spaces as \040.
    let history = try String(contentsOf: home.appendingPathComponent("state/perfsh/history"), encoding: .utf8)
      .replacingOccurrences(of: "\\040", with: " ")
    XCTAssertTrue(history.contains("echo before the hangup"), history)
  }

  // MARK: - A target that ignores interrupts

  func testSecondInterruptKillsATargetThatIgnoresSIGINTAndSIGTERM() throws {
    try PerfEvents.skipUnlessAvailable()
    let program = try Fault.compile("ignorer", Fault.ignorerSource, in: home)
    let perfsh = try Fault.spawnPerfsh(["-c", "run \(program)\necho next line"], home: home, directory: home)
    started.append(perfsh.pid)
    let target = try awaitTarget(of: perfsh, named: "ignorer")
    started.append(target)
    // Each signal is sent with kill(2), so perfsh forwards it; the target ignores both.
    kill(perfsh.pid, SIGTERM)
    usleep(300_000)
    XCTAssertTrue(Fault.isRunning(target), "the target was meant to ignore SIGTERM")
    XCTAssertTrue(Fault.isRunning(perfsh.pid), "one interrupt must not end perfsh")
    kill(perfsh.pid, SIGINT)
    XCTAssertEqual(Fault.waitForExit(perfsh.pid), 0, perfsh.stderr())
    XCTAssertFalse(Fault.isRunning(target))
    XCTAssertTrue(perfsh.stderr().contains("perfsh: ignorer ignores SIGTERM; sent SIGKILL"), perfsh.stderr())
    let out = perfsh.stdout()
    XCTAssertTrue(out.contains("[1] ignorer") && out.contains("exit killed by SIGKILL"), out)
    XCTAssertTrue(out.contains("next line"), "the script should go on after an interrupted run:\n\(out)")
  }

  func testTwoCtrlCsAtATerminalKillATargetThatIgnoresSIGINT() throws {
    try PerfEvents.skipUnlessAvailable()
    let program = try Fault.compile("ignorer", Fault.ignorerSource, in: home)
    let binary = try PerfshBinary.url().path
    let environment = try PerfshBinary.environment(home: home)
    let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
    // sh traps SIGINT: the terminal's Ctrl-C reaches the whole foreground group.
    let script = #"trap : INT; "$0" --no-rc; echo "[perfsh exited $?]"; exec sleep 3600"#
    let shell: TmuxSession
    do {
      shell = try TmuxSession(command: "env -i \(assignments) /bin/sh -c '\(script)' '\(binary)'", columns: 160)
    } catch {
      throw XCTSkip("\(error)")
    }
    var screen = try shell.waitForScreen { $0.hasSuffix("perfsh>") }
    XCTAssertTrue(screen.hasSuffix("perfsh>"), screen)
    try shell.type("run \(program)")
    try shell.sendKeys("Enter")
    let perfsh = try XCTUnwrap(Fault.processes(named: "perfsh", home: home).first, "perfsh not found in /proc")
    var target: pid_t?
    Fault.waitUntil(seconds: 30) {
      target = Fault.children(of: perfsh).first { Fault.name(of: $0) == "ignorer" }
      return target != nil
    }
    let ignorer = try XCTUnwrap(target, "the target never started")
    started.append(ignorer)

    try shell.sendKeys("C-c")
    usleep(300_000)
    XCTAssertTrue(Fault.isRunning(ignorer), "the target was meant to ignore SIGINT")
    try shell.sendKeys("C-c")
    screen = try shell.waitForScreen { $0.hasSuffix("perfsh>") && $0.contains("[1] ignorer") }
    XCTAssertTrue(screen.contains("perfsh: ignorer ignores SIGINT; sent SIGKILL"), screen)
    XCTAssertTrue(screen.contains("exit killed by SIGKILL"), screen)
    XCTAssertTrue(screen.hasSuffix("perfsh>"), "the shell should be back at its prompt:\n\(screen)")
    XCTAssertFalse(Fault.isRunning(ignorer))
  }

  // MARK: - Targets whose samples cannot be had

  func testSetUserIDTargetRunByANormalUserSaysWhyThereAreNoSamples() throws {
    try PerfEvents.skipUnlessAvailable()
    let user = try Fault.normalUser()
    guard (Fault.paranoid() ?? 3) <= 2 else {
      throw XCTSkip("kernel.perf_event_paranoid > 2: a normal user cannot sample")
    }
    let program = try Fault.compile("spinner", Fault.spinnerSource, in: home)
    XCTAssertEqual(chown(program, 0, 0), 0)
    XCTAssertEqual(chmod(program, 0o4755), 0)
    let r = try Fault.runAs(user, ["-c", "run \(program) 0.3; summary"], home: home)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("euid 0"), "the set-user-ID bit did not take effect:\n\(r.stdout)")
    XCTAssertTrue(r.stdout.contains("samples 0"), r.stdout)
    XCTAssertTrue(
      r.stderr.contains("perfsh: spinner is set-user-ID root: the kernel detaches perf events"), r.stderr)
    let parallelism = try XCTUnwrap(Fault.parallelism(r.stdout), r.stdout)
    XCTAssertLessThanOrEqual(parallelism, Double(ProcessInfo.processInfo.activeProcessorCount), r.stdout)
    let elapsed = try XCTUnwrap(Fault.elapsedMillis(r.stdout), r.stdout)
    XCTAssertGreaterThanOrEqual(elapsed, 250, "elapsed must cover the target's 0.3 s:\n\(r.stdout)")
  }

  func testTargetWithFileCapabilitiesRunByANormalUserSaysWhyThereAreNoSamples() throws {
    try PerfEvents.skipUnlessAvailable()
    let user = try Fault.normalUser()
    guard (Fault.paranoid() ?? 3) <= 2 else {
      throw XCTSkip("kernel.perf_event_paranoid > 2: a normal user cannot sample")
    }
    guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/setcap") else { throw XCTSkip("setcap is missing") }
    let program = try Fault.compile("spinner", Fault.spinnerSource, in: home)
    let set = try ProcessRunner.run(URL(fileURLWithPath: "/usr/sbin/setcap"), ["cap_net_bind_service+ep", program])
    guard set.status == 0 else { throw XCTSkip("setcap failed: \(set.stderr)") }
    let r = try Fault.runAs(user, ["-c", "run \(program) 0.2"], home: home)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("samples 0"), r.stdout)
    XCTAssertTrue(
      r.stderr.contains("perfsh: spinner is given file capabilities: the kernel detaches perf events"), r.stderr)
  }

  func testDaemonizingTargetNamesTheDescendantsLeftRunning() throws {
    try PerfEvents.skipUnlessAvailable()
    let program = try Fault.compile("daemonizer", Fault.daemonSource, in: home)
    let pidFile = home.appendingPathComponent("daemon.pid").path
    let r = try PerfshBinary.run(
      ["-c", "run \(program) \(pidFile) 20; summary"], environment: try environment(), directory: home)
    let daemon =
      Fault.waitUntil { FileManager.default.fileExists(atPath: pidFile) }
      ? Int32(
        (try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
      : nil
    if let daemon { started.append(daemon) }
    XCTAssertEqual(r.status, 0, r.stderr)
    let pid = try XCTUnwrap(daemon, "the daemon never wrote its pid")
    XCTAssertTrue(Fault.isRunning(pid), "the daemon should still run")
    XCTAssertTrue(
      r.stderr.contains("perfsh: daemonizer exited after ")
        && r.stderr.contains(" leaving 1 descendant running (pid \(pid)); capture stops when the command exits"),
      r.stderr)
    let parallelism = try XCTUnwrap(Fault.parallelism(r.stdout), r.stdout)
    XCTAssertLessThanOrEqual(parallelism, Double(ProcessInfo.processInfo.activeProcessorCount), r.stdout)
  }

  func testTraceAsANormalUserNamesThePermissionNotTheMount() throws {
    try PerfEvents.skipUnlessAvailable()
    let user = try Fault.normalUser()
    guard (Fault.paranoid() ?? 3) <= 2 else {
      throw XCTSkip("kernel.perf_event_paranoid > 2: a normal user cannot sample")
    }
    let calls = try Workloads.path("calls")
    let r = try Fault.runAs(user, ["-c", "run --trace '^inner$' \(calls)"], home: home)
    XCTAssertEqual(r.status, 1, r.stdout)
    XCTAssertTrue(
      r.stderr.contains("tracing needs root (or write access to /sys/kernel/tracing/uprobe_events)"), r.stderr)
    XCTAssertFalse(r.stderr.contains("mount"), r.stderr)
  }

  // MARK: - Helpers

  private func environment() throws -> [String: String] {
    try PerfshBinary.environment(home: home, extra: ["NO_COLOR": "1"])
  }

  private func requireTracefs() throws {
    guard geteuid() == 0 else { throw XCTSkip("tracing needs root") }
    guard FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/uprobe") else {
      throw XCTSkip("the kernel has no uprobes")
    }
  }

  /// The pid of perfsh's child called `name`, once it runs (fails after a bounded wait).
  private func awaitTarget(of perfsh: Fault.Spawned, named name: String) throws -> pid_t {
    var found: pid_t?
    _ = Fault.waitUntil(seconds: 30) {
      found = Fault.children(of: perfsh.pid).first { Fault.name(of: $0) == name }
      return found != nil || !Fault.isRunning(perfsh.pid)
    }
    return try XCTUnwrap(found, "\(name) never started under perfsh; stderr:\n\(perfsh.stderr())")
  }
}

/// Process plumbing for the fault tests: background perfsh runs, bounded waits, /proc.
enum Fault {
  /// A perfsh started in the background with its output in files.
  struct Spawned {
    var pid: pid_t
    var outPath: String
    var errPath: String
    func stdout() -> String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    func stderr() -> String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
  }

  /// A normal (non-root) user to run perfsh as: `nobody`, else one made with useradd.
  struct User {
    var uid: uid_t
    var gid: gid_t
  }

  /// Starts perfsh with `arguments` in `directory`, stdin from /dev/null, not waiting.
  static func spawnPerfsh(_ arguments: [String], home: URL, directory: URL) throws -> Spawned {
    let environment = try PerfshBinary.environment(home: home, extra: ["NO_COLOR": "1"])
    let binary = try PerfshBinary.url().path
    let out = home.appendingPathComponent("out-\(UUID().uuidString.prefix(6))").path
    let err = out + ".err"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path, binary] + arguments
    var cArgv = argv.map { strdup($0) } + [nil]
    var cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      cArgv.forEach { free($0) }
      cEnv.forEach { free($0) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, &cArgv, &cEnv)
    guard spawned == 0 else {
      throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "posix_spawn: \(spawned)"])
    }
    return Spawned(pid: pid, outPath: out, errPath: err)
  }

  /// Reaps `pid` (a child of this process) within `seconds`; its shell status (128+N when
  /// killed by N), or nil after killing it when it did not end in time.
  static func waitForExit(_ pid: pid_t, seconds: Double = 30) -> Int32? {
    var status: Int32 = 0
    let done = waitUntil(seconds: seconds) {
      let r = waitpid(pid, &status, WNOHANG)
      return r == pid || (r < 0 && errno != EINTR)
    }
    guard done else {
      kill(pid, SIGKILL)
      _ = waitpid(pid, &status, 0)
      return nil
    }
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
  }

  /// Polls `condition` every 20 ms for up to `seconds`; whether it became true.
  @discardableResult
  static func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if condition() { return true }
      usleep(20_000)
    }
    return condition()
  }

  /// Whether `pid` exists and is not a zombie.
  static func isRunning(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(after: close)...].first { $0 != " " }
    return state != nil && state != "Z" && state != "X"
  }

  /// The command name of `pid`.
  static func name(of pid: pid_t) -> String? {
    (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines)
  }

  /// Running processes whose parent is `parent`.
  static func children(of parent: pid_t) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
      guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return nil }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      return fields.count > 1 && pid_t(fields[1]) == parent && isRunning(pid) ? pid : nil
    }
  }

  /// Running processes called `name` whose environment has HOME=`home`.
  static func processes(named name: String, home: URL) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
      guard let pid = pid_t(entry), Fault.name(of: pid) == name,
        let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
      else { return nil }
      let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
      return variables.contains("HOME=\(home.path)") ? pid : nil
    }
  }

  /// The kernel's uprobe definitions (empty when unreadable).
  static func uprobeEvents() -> String {
    (try? String(contentsOfFile: "/sys/kernel/tracing/uprobe_events", encoding: .utf8)) ?? ""
  }

  /// `kernel.perf_event_paranoid`.
  static func paranoid() -> Int? {
    (try? String(contentsOfFile: "/proc/sys/kernel/perf_event_paranoid", encoding: .utf8))
      .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }

  /// Builds `source` as `directory/name` with cc; the path.
  static func compile(_ name: String, _ source: String, in directory: URL) throws -> String {
    let file = directory.appendingPathComponent(name + ".c")
    try source.write(to: file, atomically: true, encoding: .utf8)
    let output = directory.appendingPathComponent(name).path
    let r = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/cc"), ["-O1", "-g", "-o", output, file.path])
    guard r.status == 0 else { throw XCTSkip("cc failed: \(r.stderr)") }
    return output
  }

  /// A non-root user (as root only): `nobody`, else `perfsh-test` made with useradd.
  static func normalUser() throws -> User {
    guard geteuid() == 0 else { throw XCTSkip("switching to a normal user needs root") }
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("setpriv is missing") }
    if let entry = getpwnam("nobody") ?? getpwnam("perfsh-test") {
      return User(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }
    _ = try? ProcessRunner.run(
      URL(fileURLWithPath: "/usr/sbin/useradd"), ["--system", "--no-create-home", "perfsh-test"])
    guard let entry = getpwnam("perfsh-test") else { throw XCTSkip("no normal user and useradd failed") }
    return User(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
  }

  /// Runs perfsh as `user` (setpriv, no supplementary groups) with `home` as HOME.
  static func runAs(_ user: User, _ arguments: [String], home: URL) throws -> ProcessResult {
    let environment = try PerfshBinary.environment(home: home, extra: ["NO_COLOR": "1"])
    let setpriv = ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups", try PerfshBinary.url().path]
    return try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/setpriv"), setpriv + arguments, environment: environment, directory: home)
  }

  /// `Parallelism: ~N.Nx` of a summary block.
  static func parallelism(_ text: String) -> Double? {
    guard let range = text.range(of: "Parallelism: ~") else { return nil }
    return Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." })
  }

  /// `Elapsed: …` of a summary block, in milliseconds.
  static func elapsedMillis(_ text: String) -> Double? {
    guard let range = text.range(of: "Elapsed: ") else { return nil }
    let word = text[range.upperBound...].prefix { $0 != " " && $0 != "\n" }
    let number = Double(word.prefix { $0.isNumber || $0 == "." })
    let unit = word.drop { $0.isNumber || $0 == "." }
    let scale: [Substring: Double] = ["ns": 1e-6, "µs": 1e-3, "ms": 1, "s": 1000]
    return number.flatMap { n in scale[unit].map { n * $0 } }
  }

  /// Ignores SIGINT and SIGTERM and waits forever.
  static let ignorerSource = """
    #include <signal.h>
    #include <unistd.h>
    int main(void) {
      signal(SIGINT, SIG_IGN);
      signal(SIGTERM, SIG_IGN);
      for (;;) pause();
    }
    """

  /// Spins for argv[1] seconds, then prints its real and effective uid.
  static let spinnerSource = """
    #include <stdio.h>
    #include <stdlib.h>
    #include <time.h>
    #include <unistd.h>
    static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
    int main(int argc, char **argv) {
      double seconds = argc > 1 ? atof(argv[1]) : 0.3, start = now();
      volatile unsigned long x = 0;
      while (now() - start < seconds) x++;
      printf("uid %d euid %d\\n", (int)getuid(), (int)geteuid());
      return 0;
    }
    """

  /// The classic double fork: the grandchild (in its own session) writes its pid to
  /// argv[1] and sleeps argv[2] seconds; the command exits once it is set up.
  static let daemonSource = """
    #include <stdio.h>
    #include <stdlib.h>
    #include <sys/wait.h>
    #include <time.h>
    #include <unistd.h>
    static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
    int main(int argc, char **argv) {
      if (argc < 3) return 2;
      volatile unsigned long x = 0;
      double start = now();
      while (now() - start < 0.05) x++;
      pid_t child = fork();
      if (child < 0) return 1;
      if (child == 0) {
        setsid();
        pid_t grandchild = fork();
        if (grandchild < 0) _exit(1);
        if (grandchild > 0) {
          FILE *f = fopen(argv[1], "w");
          if (f == NULL) _exit(1);
          fprintf(f, "%d\\n", (int)grandchild);
          fclose(f);
          _exit(0);
        }
        sleep((unsigned)atoi(argv[2]));
        _exit(0);
      }
      int status = 0;
      waitpid(child, &status, 0);
      return 0;
    }
    """
}

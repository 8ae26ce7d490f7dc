import Foundation
import PerfshTestSupport
import XCTest

/// The built binary on hostile paths: `export` onto a device node, a FIFO, a symlink, another
/// user's private file and a directory; CRLF gate scripts; and runs whose JIT map is a FIFO,
/// a link to /dev/zero or another user's file. Every perfsh runs under `timeout`, so a hang
/// fails the test (status 124) instead of stalling the suite.
final class HostileFilesEndToEndTests: XCTestCase {
  private var home: URL!
  private var dir: String { home.path }

  override func setUpWithError() throws {
    home = try ProcessRunner.temporaryDirectory("hostile-e2e")
    try "main;work 90\nmain;idle 10\n".write(toFile: dir + "/p.folded", atomically: false, encoding: .utf8)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: home)
  }

  /// perfsh with `arguments` in the scratch folder, killed after 60 s.
  private func perfsh(_ arguments: [String], stdin: String = "") throws -> ProcessResult {
    try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/timeout"), ["60", try PerfshBinary.url().path] + arguments, stdin: stdin,
      environment: try PerfshBinary.environment(home: home), directory: home)
  }

  private func kind(_ path: String) -> mode_t {
    var info = stat()
    guard lstat(path, &info) == 0 else { return 0 }
    return info.st_mode & S_IFMT
  }

  // MARK: export

  func testExportOntoACharacterDeviceWritesThrough() throws {
    try XCTSkipIf(geteuid() != 0, "mknod needs root")
    XCTAssertEqual(mknod(dir + "/null", S_IFCHR | 0o666, dev_t((1 << 8) | 3)), 0)
    let result = try perfsh(["-c", "load p.folded; export pprof null; export folded null"])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stderr.contains("wrote null (folded"), result.stderr)
    XCTAssertEqual(kind(dir + "/null"), S_IFCHR, "the device node is still a device node")
  }

  func testExportToDevStdoutRedirectedToAFileAppendsAfterEarlierOutput() throws {
    // ProcessRunner sends perfsh's standard output to a file, as `perfsh … > out` does.
    let result = try perfsh(["-c", "load p.folded\nexport folded /dev/stdout\necho after"])
    XCTAssertEqual(result.status, 0, result.stderr)
    let lines = result.stdout.split(separator: "\n")
    XCTAssertEqual(lines.first, "[1] p.folded  samples 100  functions 3")
    XCTAssertEqual(Set(lines.dropFirst().dropLast()), ["main;work 90", "main;idle 10"])
    XCTAssertEqual(lines.last, "after")
  }

  func testExportOntoAFIFOWithoutReaderFailsNamingThePathOnce() throws {
    let fifo = dir + "/pipe"
    try makeFIFO(fifo)
    let result = try perfsh(["-c", "load p.folded\nexport pprof pipe\necho never"])
    XCTAssertNotEqual(result.status, 124, "export onto a FIFO hung")
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(
      result.stderr, "-c:2: pipe: is a FIFO with no reader (perfsh does not wait for one; start the reader first)\n")
    XCTAssertEqual(kind(fifo), S_IFIFO)
  }

  func testExportThroughASymlinkReplacesItsTarget() throws {
    try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: false)
    XCTAssertEqual(symlink("out/real.folded", dir + "/link.folded"), 0)
    let result = try perfsh(["-c", "load p.folded; export folded link.folded"])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertEqual(kind(dir + "/link.folded"), S_IFLNK, "the link stays a link")
    let written = try String(contentsOfFile: dir + "/out/real.folded", encoding: .utf8)
    XCTAssertEqual(Set(written.split(separator: "\n")), ["main;work 90", "main;idle 10"])
  }

  func testExportOverAnotherUsersPrivateFileKeepsModeAndOwner() throws {
    try XCTSkipIf(geteuid() != 0, "chown needs root")
    let path = dir + "/theirs.pb.gz"
    try "old".write(toFile: path, atomically: false, encoding: .utf8)
    XCTAssertEqual(chown(path, nobodyID.uid, nobodyID.gid), 0)
    XCTAssertEqual(chmod(path, 0o600), 0)
    let result = try perfsh(["-c", "load p.folded; export pprof theirs.pb.gz; load theirs.pb.gz"])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stdout.contains("[2] theirs.pb.gz  samples 100"), result.stdout)
    var info = stat()
    XCTAssertEqual(stat(path, &info), 0)
    XCTAssertEqual(info.st_uid, nobodyID.uid)
    XCTAssertEqual(info.st_gid, nobodyID.gid)
    XCTAssertEqual(info.st_mode & 0o7777, 0o600)
  }

  func testExportByAnotherUserKeepsOwnersItCannotGive() throws {
    try XCTSkipIf(geteuid() != 0, "switching users needs root")
    XCTAssertEqual(chmod(dir, 0o1777), 0)
    // root's world-writable file, and nobody's file in a group nobody is not a member of:
    // a rename would give both to nobody:nogroup; in-place rewriting keeps them.
    let rootFile = dir + "/root.pb.gz"
    let groupFile = dir + "/group.folded"
    for path in [rootFile, groupFile] { try "old".write(toFile: path, atomically: false, encoding: .utf8) }
    XCTAssertEqual(chmod(rootFile, 0o666), 0)
    XCTAssertEqual(chown(groupFile, nobodyID.uid, 0), 0)
    XCTAssertEqual(chmod(groupFile, 0o664), 0)
    let result = try ProcessRunner.run(
      URL(fileURLWithPath: "/usr/bin/setpriv"),
      [
        "--reuid=\(nobodyID.uid)", "--regid=\(nobodyID.gid)", "--clear-groups", "/usr/bin/timeout", "60",
        try PerfshBinary.url().path, "-c",
        "load p.folded; export pprof root.pb.gz; export folded group.folded; load root.pb.gz",
      ],
      environment: try PerfshBinary.environment(home: home), directory: home)
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stdout.contains("[2] root.pb.gz  samples 100"), result.stdout)
    var info = stat()
    XCTAssertEqual(stat(rootFile, &info), 0)
    XCTAssertEqual([info.st_uid, info.st_gid, info.st_mode & 0o7777], [0, 0, 0o666])
    XCTAssertEqual(stat(groupFile, &info), 0)
    XCTAssertEqual([info.st_uid, info.st_gid, info.st_mode & 0o7777], [nobodyID.uid, 0, 0o664])
    XCTAssertTrue(try String(contentsOfFile: groupFile, encoding: .utf8).contains("main;work 90"))
    XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.contains(".tmp-") })
  }

  func testExportOntoADirectoryFails() throws {
    try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: false)
    let result = try perfsh(["-c", "load p.folded; export pprof out"])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(
      result.stderr, "-c:1: out: is a directory; perfsh writes only regular files, character devices and FIFOs\n")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/out"), [])
  }

  func testLoadOfAFIFOFailsAtOnce() throws {
    try makeFIFO(dir + "/cpu.pb.gz")
    let result = try perfsh(["-c", "load cpu.pb.gz"])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stderr, "-c:1: cpu.pb.gz: is a FIFO, not a regular file\n")
  }

  // MARK: scripts

  func testCRLFGateScriptFailsAtTheAssertLine() throws {
    try "load p.folded\r\nassert self(work) < 50\r\necho never\r\n"
      .write(toFile: dir + "/gate.perfsh", atomically: false, encoding: .utf8)
    let result = try perfsh(["gate.perfsh"])
    XCTAssertEqual(result.status, 1, "a failing assert in a CRLF script must fail the gate")
    XCTAssertTrue(result.stderr.hasPrefix("gate.perfsh:2: assertion failed: self(work) < 50"), result.stderr)
    XCTAssertFalse(result.stdout.contains("never"))

    let piped = try perfsh([], stdin: "load p.folded\r\nassert self(work) < 50\r\necho never\r\n")
    XCTAssertEqual(piped.status, 1)
    XCTAssertTrue(piped.stderr.hasPrefix("stdin:2: assertion failed"), piped.stderr)

    let string = try perfsh(["-c", "load p.folded\r\nassert self(work) < 50\r\n"])
    XCTAssertEqual(string.status, 1)
    XCTAssertTrue(string.stderr.hasPrefix("-c:2: assertion failed"), string.stderr)
  }

  func testScriptThatIsAFIFOFailsAtOnce() throws {
    try makeFIFO(dir + "/pipe.perfsh")
    let result = try perfsh(["pipe.perfsh"])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stderr, "perfsh: cannot read pipe.perfsh: it is a FIFO, not a regular file\n")
  }

  func testSelfSourcingScriptStopsWithAMessage() throws {
    try "source loop.perfsh\n".write(toFile: dir + "/loop.perfsh", atomically: false, encoding: .utf8)
    let result = try perfsh(["loop.perfsh"])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(
      result.stderr,
      "loop.perfsh:1: source nested more than 64 levels deep; a file sources itself: loop.perfsh -> loop.perfsh\n")
  }

  func testInteractiveShellWithAFIFOHistoryFileStartsWithoutHistory() throws {
    try FileManager.default.createDirectory(atPath: dir + "/state/perfsh", withIntermediateDirectories: true)
    let history = dir + "/state/perfsh/history"
    try makeFIFO(history)
    let guardian = FIFOHangGuard(fifo: history, seconds: 30)
    defer { _ = guardian.finish() }
    let binary = try PerfshBinary.url().path
    let environment = try PerfshBinary.environment(home: home)
    let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
    let shell = try TmuxSession(
      command:
        "env -i \(assignments) /bin/sh -c '\"$0\" --no-rc; echo \"[perfsh exited $?]\"; exec sleep 3600' '\(binary)'",
      columns: 250)
    var screen = try shell.waitForScreen { $0.hasSuffix("perfsh>") }
    XCTAssertTrue(
      screen.contains("perfsh: cannot read \(history): it is a FIFO, not a regular file; history will not be saved"),
      screen)
    XCTAssertTrue(screen.hasSuffix("perfsh>"), "the prompt comes up: \(screen)")
    try shell.type("echo still here")
    try shell.sendKeys("Enter")
    screen = try shell.waitForScreen { $0.hasSuffix("still here\nperfsh>") }
    XCTAssertTrue(screen.hasSuffix("still here\nperfsh>"), screen)
    try shell.sendKeys("C-d")
    screen = try shell.waitForScreen { $0.contains("[perfsh exited ") }
    XCTAssertTrue(screen.contains("[perfsh exited 0]"), screen)
    XCTAssertTrue(guardian.finish(), "nothing blocked on the FIFO")
    XCTAssertEqual(kind(history), S_IFIFO, "the FIFO was neither read nor replaced")
  }

  // MARK: JIT maps in a real run

  /// Runs the `jit` workload through `sh`, which first prepares `/tmp/perf-$$.map` with
  /// `prepare` (the pid stays the same across `exec`); returns perfsh's result and the map path.
  private func runJIT(preparing prepare: String) throws -> (ProcessResult, String) {
    let probe = try ProcessRunner.run(URL(fileURLWithPath: "/bin/cat"), ["/proc/sys/kernel/perf_event_paranoid"])
    try XCTSkipIf(
      getuid() != 0 && (Int(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 3) > 2,
      "perf events are not permitted here")
    let jit = try Workloads.path("jit")
    let script = "run sh -c 'm=/tmp/perf-$$.map; \(prepare); exec \"$0\"' \(jit)\ninfo\ntop 3\n"
    try script.write(toFile: dir + "/jit.perfsh", atomically: false, encoding: .utf8)
    let result = try perfsh(["jit.perfsh"])
    let map = result.stdout.split(separator: " ").first { $0.hasPrefix("/tmp/perf-") }.map {
      String($0.prefix { $0 != "\n" })
    }
    let path = try XCTUnwrap(map, "the workload names its map: \(result.stdout)")
    addTeardownBlock { unlink(path) }
    return (result, path)
  }

  func testRunWhoseJITMapIsAFIFOKeepsItsSession() throws {
    // A background reader lets the workload's own fopen("w") through; afterwards the FIFO
    // has no writer, and a blocking open by perfsh would wait forever.
    let (result, map) = try runJIT(preparing: "mkfifo $m; (cat $m > /dev/null &)")
    XCTAssertNotEqual(result.status, 124, "perfsh hung on the FIFO")
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(
      result.stdout.contains("Note:        no JIT symbols: cannot read \(map): it is a FIFO, not a regular file"),
      result.stdout)
    XCTAssertTrue(
      result.stdout.contains("__vdso_clock_gettime"), "the session is symbolized and usable: \(result.stdout)")
  }

  func testRunWhoseJITMapLinksToDevZeroKeepsItsSession() throws {
    let (result, map) = try runJIT(preparing: "ln -s /dev/zero $m")
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(
      result.stdout.contains(
        "Note:        no JIT symbols: cannot read \(map): it is a character device, not a regular file"),
      result.stdout)
    XCTAssertTrue(result.stdout.contains("__vdso_clock_gettime"), result.stdout)
  }

  func testRunIgnoresAJITMapOwnedByAnotherUser() throws {
    try XCTSkipIf(geteuid() != 0, "chown needs root")
    let (result, map) = try runJIT(preparing: "touch $m; chown \(nobodyID.uid) $m")
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(
      result.stdout.contains(
        "Note:        no JIT symbols: ignored \(map): owned by uid \(nobodyID.uid), not by perfsh's user or root (as perf does)"
      ),
      result.stdout)
    XCTAssertFalse(result.stdout.contains("jit_loop"), "the untrusted map's names are not used")

    let (trusted, _) = try runJIT(preparing: "true")
    XCTAssertTrue(trusted.stdout.contains("jit_loop"), "an own map is used: \(trusted.stdout)")
  }
}

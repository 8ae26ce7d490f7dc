import CPerfEvent
import Glibc
import ProfileModel
import Syscalls

/// A forked child held at a gate before exec, so perf events can be opened on its pid
/// (with `enable_on_exec`) before the target's first instruction runs.
///
/// The child side is C (`perfsh_fork_gated`): it shares perfsh's memory until its exec
/// (clone(CLONE_VM)), so the exec does not tear down a copy of perfsh's address space on the
/// target's CPU time. A child still held, or resumed but never waited for, is killed and
/// reaped on deinit, so error paths leave no strays.
public struct SuspendedChild: ~Copyable {
  /// The child's pid (and, after `resume`, the target's).
  public let pid: pid_t
  private var goFD: Int32
  /// A pidfd that polls readable once the child has exited, or -1 when the kernel lacks pidfds.
  public private(set) var exitDescriptor: Int32 = -1
  private var errorFD: Int32
  private var reaped = false
  /// The stack and argument copies the child runs on until its exec (it shares perfsh's memory
  /// until then): released once the exec closed the error pipe or the child was reaped.
  private var launchMemory: perfsh_launch
  private let commandName: String
  private let executablePath: String
  private let workingDirectory: String?
  /// Set when the executable is set-user-ID or set-group-ID to someone other than perfsh,
  /// or has file capabilities (e.g. "set-user-ID root"): the kernel detaches perf events
  /// at such an exec.
  public let identityChange: String?

  /// How the child ended and the CPU time of it and every descendant it waited for.
  public struct Exit: Sendable, Equatable {
    /// Exit code or terminating signal.
    public var termination: RunInfo.Termination
    /// User + system CPU time from wait4's rusage, in nanoseconds.
    public var cpuNanos: Int64
  }

  /// Forks a gated child that will exec `arguments[0]` (looked up in PATH when it has no
  /// slash) with `environment` (full `KEY=VALUE` list) in `workingDirectory`.
  ///
  /// Throws `.commandNotFound` / `.notExecutable` before forking when the lookup fails.
  /// `executablePath`, when the request already resolved it, is used as is.
  public static func launch(
    arguments: [String], executablePath: String? = nil, environment: [String], workingDirectory: String?
  ) throws(CaptureError) -> SuspendedChild {
    guard let name = arguments.first, !name.isEmpty else { throw .commandNotFound(name: "") }
    let searchPath = environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
    let path: String
    if let executablePath {
      path = executablePath
    } else {
      path = try ExecutableLookup.resolve(name, searchPath: searchPath, workingDirectory: workingDirectory)
    }

    var goPipe: [Int32] = [-1, -1]
    var errPipe: [Int32] = [-1, -1]
    try Syscall.zeroOrErrno(perfsh_pipe_cloexec(&goPipe, 0)) { .system(call: "pipe2", errno: $0) }
    guard perfsh_pipe_cloexec(&errPipe, 0) == 0 else {
      let e = Syscall.lastError
      close(goPipe[0])
      close(goPipe[1])
      throw .system(call: "pipe2", errno: e)
    }
    var launchMemory = perfsh_launch(base: nil, size: 0)
    let pid = withCStrings(arguments) { argv in
      withCStrings(environment) { envp in
        perfsh_fork_gated(
          path, argv, envp, workingDirectory, goPipe[0], errPipe[1], goPipe[1], errPipe[0], &launchMemory)
      }
    }
    let forkErrno = Syscall.lastError
    close(goPipe[0])
    close(errPipe[1])
    guard pid > 0 else {
      close(goPipe[1])
      close(errPipe[0])
      throw .system(call: "fork", errno: forkErrno)
    }
    return SuspendedChild(
      pid: pid, goFD: goPipe[1], errorFD: errPipe[0], launchMemory: launchMemory, name: name, path: path,
      workingDirectory: workingDirectory)
  }

  private init(
    pid: pid_t, goFD: Int32, errorFD: Int32, launchMemory: perfsh_launch, name: String, path: String,
    workingDirectory: String?
  ) {
    self.pid = pid
    self.goFD = goFD
    self.errorFD = errorFD
    self.launchMemory = launchMemory
    self.commandName = name
    self.executablePath = path
    self.workingDirectory = workingDirectory
    self.exitDescriptor = perfsh_pidfd_open(pid)
    var file = path
    if !path.hasPrefix("/"), let workingDirectory { file = workingDirectory + "/" + path }
    self.identityChange = Self.identityChange(of: file)
  }

  /// "set-user-ID OWNER" / "set-group-ID GROUP" / "given file capabilities" when exec'ing
  /// `path` changes the credentials of this process (so the kernel detaches perf events), else nil.
  static func identityChange(of path: String) -> String? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    var fs = statvfs()
    if statvfs(path, &fs) == 0 && fs.f_flag & UInt(ST_NOSUID) != 0 { return nil }  // the bits are ignored there
    if st.st_mode & S_ISUID != 0 && st.st_uid != geteuid() {
      let owner = getpwuid(st.st_uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(st.st_uid)"
      return "set-user-ID \(owner)"
    }
    if st.st_mode & S_ISGID != 0 && st.st_gid != getegid() {
      let group = getgrgid(st.st_gid).flatMap { $0.pointee.gr_name.map { String(cString: $0) } } ?? "gid \(st.st_gid)"
      return "set-group-ID \(group)"
    }
    // File capabilities raise a normal user's privileges at exec just the same.
    if geteuid() != 0 && perfsh_has_file_capabilities(path) != 0 { return "given file capabilities" }
    return nil
  }

  /// Opens the gate: the child execs. Returns once exec has succeeded; throws (and reaps
  /// the child) when exec or the child's chdir failed.
  public mutating func resume() throws(CaptureError) {
    var byte: UInt8 = 1
    let wrote = write(goFD, &byte, 1)
    close(goFD)
    goFD = -1
    if wrote != 1 { throw .system(call: "write to the exec gate", errno: Syscall.lastError) }
    var code: Int32 = 0
    var got = 0
    while got < 4 {
      let n = withUnsafeMutableBytes(of: &code) { read(errorFD, $0.baseAddress.map { $0 + got }, 4 - got) }
      if n < 0 && Syscall.lastError.rawValue == EINTR { continue }
      if n <= 0 { break }
      got += n
    }
    close(errorFD)
    errorFD = -1
    if got == 0 {  // CLOEXEC closed the pipe: exec succeeded (or the child is gone)
      perfsh_launch_release(&launchMemory)
      return
    }
    _ = try? wait(blocking: true)
    if code < 0 { throw .changeDirectory(path: workingDirectory ?? ".", errno: Errno(rawValue: -code)) }
    if code == ENOENT { throw .commandNotFound(name: commandName) }
    throw .notExecutable(path: executablePath, errno: Errno(rawValue: code))
  }

  /// Reaps the child with wait4; nil when `blocking` is false and it is still running.
  public mutating func wait(blocking: Bool) throws(CaptureError) -> Exit? {
    if reaped { return nil }
    var status: Int32 = 0
    var usage = rusage()
    while true {
      let r = wait4(pid, &status, blocking ? 0 : WNOHANG, &usage)
      if r == 0 { return nil }
      if r < 0 {
        if Syscall.lastError.rawValue == EINTR { continue }
        throw .system(call: "wait4(\(pid))", errno: Syscall.lastError)
      }
      break
    }
    reaped = true
    perfsh_launch_release(&launchMemory)
    let cpu = nanos(usage.ru_utime) + nanos(usage.ru_stime)
    let signal = status & 0x7f
    let termination: RunInfo.Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    return Exit(termination: termination, cpuNanos: cpu)
  }

  /// Sends `signal` to the child (no-op once reaped).
  public func send(_ signal: Int32) {
    if !reaped { kill(pid, signal) }
  }

  deinit {
    if goFD >= 0 { close(goFD) }
    if errorFD >= 0 { close(errorFD) }
    if exitDescriptor >= 0 { close(exitDescriptor) }
    if !reaped {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && Syscall.lastError.rawValue == EINTR {}
    }
    var memory = launchMemory
    perfsh_launch_release(&memory)
  }
}

private func nanos(_ t: timeval) -> Int64 { Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_usec) * 1000 }

/// Calls `body` with a NULL-terminated C array of copies of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
  var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
  pointers.append(nil)
  defer { for p in pointers { free(p) } }
  return body(pointers)
}

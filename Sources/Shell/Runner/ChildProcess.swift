import Syscalls

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a program that shares perfsh's terminal and standard streams, and waits for it.
///
/// The corresponding C calls are `posix_spawn` and `waitpid`. (Foundation's `Process`
/// is not used: it waits for inherited descriptors to close, so a program that leaves a
/// daemon behind would hang the shell.)
enum ChildProcess {
  /// Runs `arguments[0]` (a path) with `environment`; returns its exit status, 128+N when
  /// signal N killed it.
  static func run(_ arguments: [String], environment: [String: String]) throws(ShellError) -> Int32 {
    guard let program = arguments.first else { return 0 }
    var argv = arguments.map { strdup($0) } + [nil]
    var envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, program, nil, nil, &argv, &envp)
    guard result == 0 else {
      throw .process(program: program, step: .start, errno: Errno(rawValue: result))
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      let failure = Syscall.lastError
      guard failure.rawValue == EINTR else { throw .process(program: program, step: .wait, errno: failure) }
    }
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
  }
}

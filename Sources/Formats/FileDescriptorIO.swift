import Syscalls

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Whole-buffer writes on a descriptor, retrying short writes and EINTR. A FIFO whose reader
/// went away gives an `EPIPE` error instead of a SIGPIPE that would end the whole shell.
enum FileDescriptorIO {
  /// Writes every byte of `bytes` to `fd`; errors name `path`.
  static func writeAll(_ fd: Int32, _ bytes: [UInt8], reportedAs path: String) throws(FormatError) {
    // Block SIGPIPE on this thread while writing; a SIGPIPE raised here is consumed below.
    var pipeOnly = sigset_t()
    var saved = sigset_t()
    sigemptyset(&pipeOnly)
    sigaddset(&pipeOnly, SIGPIPE)
    var pendingBefore = sigset_t()
    sigpending(&pendingBefore)
    let wasPending = sigismember(&pendingBefore, SIGPIPE) == 1
    pthread_sigmask(SIG_BLOCK, &pipeOnly, &saved)
    defer {
      if !wasPending {
        var pending = sigset_t()
        sigpending(&pending)
        if sigismember(&pending, SIGPIPE) == 1 {
          var zero = timespec(tv_sec: 0, tv_nsec: 0)
          _ = sigtimedwait(&pipeOnly, nil, &zero)
        }
      }
      pthread_sigmask(SIG_SETMASK, &saved, nil)
    }
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
      }
      if n < 0 {
        if Syscall.lastError.rawValue == EINTR { continue }
        throw .io(path: path, operation: "write", errno: Syscall.lastError)
      }
      offset += n
    }
  }
}

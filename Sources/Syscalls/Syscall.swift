@_exported import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The one errno type of every perfsh layer is swift-system's `Errno`, and this is the one way a
/// failed C call becomes a typed error: `errno` is read right after the call, once, here (the
/// `valueOrErrno` idea of swift-system), so no call site reads the global or lets another call
/// overwrite it before it is kept. Each facility (perf events, files, mappings, sockets,
/// processes) passes the error its own layer throws.
public enum Syscall {
  /// `result` when it is not -1 (a descriptor, a count); else throws `failure(errno)`.
  @inlinable @inline(__always)
  public static func valueOrErrno<T: FixedWidthInteger, E: Error>(_ result: T, _ failure: (Errno) -> E) throws(E) -> T {
    guard result == -1 else { return result }
    throw failure(lastError)
  }

  /// Nothing when `result` is 0 (the C convention for success); else throws `failure(errno)`.
  @inlinable @inline(__always)
  public static func zeroOrErrno<E: Error>(_ result: Int32, _ failure: (Errno) -> E) throws(E) {
    guard result == 0 else { throw failure(lastError) }
  }

  /// The error of the C call that just failed, for a caller that must release resources or
  /// test for a retry (EINTR) between the failure and the throw. Read it before any other call.
  @inlinable @inline(__always)
  public static var lastError: Errno { Errno(rawValue: errno) }

  /// Sets errno to 0 before a call that reports some failures only through it (libedit's
  /// `el_gets` on an interrupted read).
  @inlinable @inline(__always)
  public static func clearLastError() { errno = 0 }
}

extension Errno {
  /// The C library's text for this error, lower-cased at the start as perfsh's messages are
  /// ("no such file or directory"): the one errno-to-text of the project.
  public var message: String {
    guard let cString = strerror(rawValue) else { return "errno \(rawValue)" }
    let text = String(cString: cString)
    guard let first = text.first else { return "errno \(rawValue)" }
    return first.lowercased() + text.dropFirst()
  }
}

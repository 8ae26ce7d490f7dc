import Glibc
import SystemPackage

/// The one place Capture reads `errno`: a failed C call becomes a thrown `CaptureError` that
/// names the call, built from the `Errno` read right after the call (swift-system's
/// `valueOrErrno` idea), so no call site reads the global or can let another call overwrite it.
enum SystemCall {
  /// `result` when it is not -1 (a descriptor, a count); else throws `failure(errno)`.
  @inline(__always)
  static func valueOrErrno<T: FixedWidthInteger>(
    _ result: T, _ failure: (Errno) -> CaptureError
  ) throws(CaptureError) -> T {
    guard result == -1 else { return result }
    throw failure(lastError)
  }

  /// Nothing when `result` is 0 (the C convention for success); else throws `failure(errno)`.
  @inline(__always)
  static func zeroOrErrno(_ result: Int32, _ failure: (Errno) -> CaptureError) throws(CaptureError) {
    guard result == 0 else { throw failure(lastError) }
  }

  /// The error of the C call that just failed, for a caller that must release resources
  /// between the failure and the throw. Read it before any other call.
  @inline(__always)
  static var lastError: Errno { Errno(rawValue: errno) }
}

import Syscalls

/// Capture's facility of the one errno chokepoint: the same `valueOrErrno`/`zeroOrErrno` as
/// `Syscall`'s, typed to `CaptureError` so call sites write `{ .system(call: "…", errno: $0) }`.
extension Syscall {
  /// `result` when it is not -1; else throws `failure` of the errno read right after the call.
  @inline(__always)
  static func valueOrErrno<T: FixedWidthInteger>(
    _ result: T, _ failure: (Errno) -> CaptureError
  ) throws(CaptureError) -> T {
    guard result == -1 else { return result }
    throw failure(lastError)
  }

  /// Nothing when `result` is 0; else throws `failure` of the errno read right after the call.
  @inline(__always)
  static func zeroOrErrno(_ result: Int32, _ failure: (Errno) -> CaptureError) throws(CaptureError) {
    guard result == 0 else { throw failure(lastError) }
  }
}

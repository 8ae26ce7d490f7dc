import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Gives freed heap pages back to the kernel (glibc's `malloc_trim`) once the server has been
/// quiet for a moment: one trim after a burst of requests, none while they keep coming.
///
/// Why: an answer over a big session (a flame graph of a 1M-sample profile) allocates tens of
/// MB and frees nearly all of it, and a burst of connections does the same with buffers, but
/// glibc keeps freed memory in the arena of the thread that freed it. Measured with
/// scripts/bench-serve: four fresh flame graphs left 120 MB of RSS with 6 MB in use;
/// `malloc_trim(0)` gave back all but a few MB.
enum HeapTrim {
  private static let state = TrimState()
  /// How long the server must be quiet before the trim.
  static let quiet = DispatchTimeInterval.milliseconds(200)

  /// glibc's `int malloc_trim(size_t pad)`, looked up at run time: Swift's Glibc module does
  /// not import <malloc.h>, and another C library (musl) has none, which makes this a no-op.
  private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
    #if canImport(Glibc)
      guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
      return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    #else
      return nil
    #endif
  }()

  /// glibc's `int mallopt(int param, int value)`, looked up as `malloc_trim` is.
  private static let mallopt: (@convention(c) (Int32, Int32) -> Int32)? = {
    #if canImport(Glibc)
      guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return nil }
      return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    #else
      return nil
    #endif
  }()

  /// Keeps threads started from now on in the main heap instead of an arena each (glibc's
  /// M_ARENA_MAX = 1), before the server starts its threads: the trim gives back the main heap
  /// well, but each event-loop thread's arena kept 4-8 MB after a burst (scripts/bench-serve:
  /// +26 to +28 MB RSS over the same sessions without serve with arenas, +17 MB without).
  static func keepThreadsInTheMainHeap() {
    _ = mallopt?(-8, 1)  // M_ARENA_MAX from <malloc.h>
  }

  /// Notes activity; a trim follows once `quiet` has passed without more.
  static func afterQuiet() {
    guard state.touch() else { return }
    schedule(after: quiet)
  }

  private static func schedule(after delay: DispatchTimeInterval) {
    DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + delay) {
      if let wait = state.remainingQuiet(quiet) {
        schedule(after: wait)
      } else {
        _ = mallocTrim?(0)
      }
    }
  }
}

/// The last activity and whether a trim is scheduled.
private final class TrimState: @unchecked Sendable {
  private let lock = NSLock()
  private var pending = false
  private var last = DispatchTime.now()

  /// Records activity; true when no trim was scheduled (the caller schedules one).
  func touch() -> Bool {
    lock.withLock {
      last = .now()
      if pending { return false }
      pending = true
      return true
    }
  }

  /// How much longer to wait for `quiet` since the last activity; nil (and no longer pending)
  /// when it has passed.
  func remainingQuiet(_ quiet: DispatchTimeInterval) -> DispatchTimeInterval? {
    lock.withLock {
      let due = last + quiet
      let now = DispatchTime.now()
      if now < due { return .nanoseconds(Int(due.uptimeNanoseconds - now.uptimeNanoseconds)) }
      pending = false
      return nil
    }
  }
}

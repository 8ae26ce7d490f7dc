import Dispatch
import Glibc

/// Opens binaries (symbols, debug files, DWARF sections) on an idle-priority thread while the
/// target runs, so symbolizing after it exits finds them ready.
///
/// Inflating a library's compressed separate debug info (libc's, with libc6-dbg) takes tens
/// of milliseconds: more than everything else between a short run's exit and its session.
final class BinaryPrefetch: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  // Written on the background queue before `done` is signalled, read only after waiting.
  private var loaded: [(path: String, image: BinaryImage)] = []
  private var work: IdleWork?

  /// Opens `executable` and the libraries it needs, except those `skip` says are open already;
  /// finding them (ld.so.conf, DT_NEEDED) happens on the background thread too.
  convenience init(executable: String, debugRoots: [String], skip: @escaping @Sendable (String) -> Bool) {
    self.init(debugRoots: debugRoots) { Self.paths(forExecutable: executable).filter { !skip($0) } }
  }

  /// Opens the binaries at `paths`.
  convenience init(paths: [String], debugRoots: [String]) {
    self.init(debugRoots: debugRoots) { paths }
  }

  private init(debugRoots: [String], paths: @escaping @Sendable () -> [String]) {
    work = BackgroundThread.startIdle { [self] in
      for path in paths() {
        guard let image = try? BinaryImage(path: path, debugRoots: debugRoots) else { continue }
        image.warmUp()
        loaded.append((path, image))
      }
      done.signal()
    }
  }

  /// The images opened, waiting for the background work to finish.
  func wait() -> [(path: String, image: BinaryImage)] {
    work?.urge()
    done.wait()
    done.signal()
    return loaded
  }

  /// The executable and the shared libraries it needs (DT_NEEDED, transitively), as the
  /// kernel will name them in its mmap records (symbolic links resolved).
  static func paths(forExecutable executable: String) -> [String] {
    let locator = LibraryLocator(executable: executable)
    var paths = [executable]
    for name in locator.neededClosure(of: executable) {
      if let dir = locator.directories.first(where: { access($0 + "/" + name, R_OK) == 0 }) {
        paths.append(dir + "/" + name)
      }
    }
    return paths.compactMap { path in
      guard let resolved = realpath(path, nil) else { return nil }
      defer { free(resolved) }
      return String(cString: resolved)
    }
  }
}

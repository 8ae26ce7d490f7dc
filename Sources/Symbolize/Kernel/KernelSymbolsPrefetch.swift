import Dispatch

/// Reads `/proc/kallsyms` on an idle-priority thread (`BackgroundThread`) while the target runs.
///
/// The kernel formats that file slowly (tens of milliseconds for ~200k symbols), which
/// would otherwise be most of the time between the target's exit and a ready session.
final class KernelSymbolsPrefetch: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  // Written once on the background queue before `done` is signalled, read after waiting.
  private var result: Result<KernelSymbols, SymbolizeError> = .success(KernelSymbols(parsing: ""))
  private var work: IdleWork?

  init(path: String) {
    work = BackgroundThread.startIdle { [self] in
      do throws(SymbolizeError) {
        result = .success(KernelSymbols(parsing: try MappedFile.readText(path: path)))
      } catch {
        result = .failure(error)
      }
      done.signal()
    }
  }

  /// The symbols, waiting for the read to finish.
  func wait() -> Result<KernelSymbols, SymbolizeError> {
    work?.urge()
    done.wait()
    done.signal()
    return result
  }
}

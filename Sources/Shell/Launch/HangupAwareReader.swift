import Capture

/// A line reader that ends its input once perfsh was hung up on (SIGHUP), so a script
/// stops at the next line instead of running on with no one to read its output.
final class HangupAwareReader: LineReader {
  private let inner: any LineReader

  /// Wraps `inner`.
  init(_ inner: any LineReader) { self.inner = inner }

  func readLine(prompt: String) -> LineInput {
    if Hangup.received { return .endOfInput }
    let input = inner.readLine(prompt: prompt)
    return Hangup.received ? .endOfInput : input
  }

  func addHistory(_ line: String) { inner.addHistory(line) }
  var loadedHistory: [String] { inner.loadedHistory }
  func setCompleter(_ completer: @escaping (String) -> Completion) { inner.setCompleter(completer) }
}

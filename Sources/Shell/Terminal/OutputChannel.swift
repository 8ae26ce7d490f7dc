#if canImport(Glibc)
import Glibc
#endif

/// A text stream commands write to: standard output / error of the process, or a
/// string that tests read back. Renderers take it as their `TextOutputStream`.
public final class OutputChannel: TextOutputStream {
  private enum Target {
    case fileDescriptor(Int32)
    case capture
  }

  private let target: Target
  private var buffer: [UInt8] = []
  private var captured: [UInt8] = []
  /// A channel flushed before this one writes (stderr flushes stdout so lines stay in order).
  public weak var flushesFirst: OutputChannel?

  private init(target: Target) { self.target = target }

  /// Writes to a file descriptor, buffered until `flush()` or 64 KiB.
  public static func fileDescriptor(_ fd: Int32) -> OutputChannel { OutputChannel(target: .fileDescriptor(fd)) }

  /// Keeps everything written in memory; read it with `text`.
  public static func capture() -> OutputChannel { OutputChannel(target: .capture) }

  /// The process's standard output.
  public static func standardOutput() -> OutputChannel { .fileDescriptor(1) }

  /// The process's standard error.
  public static func standardError() -> OutputChannel { .fileDescriptor(2) }

  /// Appends text.
  public func write(_ string: String) {
    flushesFirst?.flush()
    switch target {
    case .capture:
      captured.append(contentsOf: string.utf8)
    case .fileDescriptor:
      buffer.append(contentsOf: string.utf8)
      if buffer.count >= 65_536 { flush() }
    }
  }

  /// Appends text and a newline.
  public func line(_ string: String = "") { write(string + "\n") }

  /// Sends buffered bytes to the file descriptor (retrying short writes and EINTR).
  public func flush() {
    guard case .fileDescriptor(let fd) = target, !buffer.isEmpty else { return }
    buffer.withUnsafeBytes { bytes in
      var offset = 0
      while offset < bytes.count {
        guard let base = bytes.baseAddress else { return }
        let written = Glibc.write(fd, base + offset, bytes.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return
        }
        offset += written
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Everything written to a capture channel (empty for file descriptors).
  public var text: String { String(decoding: captured, as: UTF8.self) }

  deinit { flush() }
}

import Render
import Syscalls

#if canImport(Glibc)
  import Glibc
#endif

/// A text stream commands write to: standard output / error of the process, or a
/// string that tests read back. Renderers take it as their `TextOutputStream`.
///
/// It is the last line of defence against control characters from data (session names, command
/// lines, file names in error messages): everything written passes through `terminalSafe`, which
/// keeps newlines, tabs and — only while `allowsStyleCodes` says colour is on — SGR colour codes
/// (`ESC [ digits;… m`), and shows any other control character as `DisplayText` escapes it.
/// Renderers escape names themselves first, so columns line up.
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
  /// Whether SGR colour codes pass (the shell answers from its colour setting); asked only when
  /// a write holds a control character.
  public var allowsStyleCodes: () -> Bool = { true }

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
    let string = Self.terminalSafe(string, allowingStyleCodes: allowsStyleCodes)
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
          if Syscall.lastError.rawValue == EINTR { continue }
          return
        }
        offset += written
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// `text` with every control character except newline, tab and (when allowed) SGR colour
  /// sequences escaped.
  public static func terminalSafe(_ text: String, allowingStyleCodes: () -> Bool = { true }) -> String {
    guard text.unicodeScalars.contains(where: { DisplayText.isControl($0) && $0 != "\n" && $0 != "\t" }) else {
      return text
    }
    let allowSGR = allowingStyleCodes()
    let scalars = Array(text.unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    while i < scalars.count {
      let c = scalars[i]
      if c == "\n" || c == "\t" || !DisplayText.isControl(c) {
        out.append(c)
        i += 1
      } else if allowSGR, c == "\u{1B}", let end = sgrEnd(scalars, from: i) {
        out.append(contentsOf: scalars[i..<end])
        i = end
      } else {
        out.append(contentsOf: DisplayText.escapingControls(String(c)).unicodeScalars)
        i += 1
      }
    }
    return String(out)
  }

  /// One past the end of the SGR sequence `ESC [ [0-9;]* m` starting at `start`, or nil.
  private static func sgrEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
    var j = start + 1
    guard j < scalars.count, scalars[j] == "[" else { return nil }
    j += 1
    while j < scalars.count, scalars[j] == ";" || ("0"..."9").contains(scalars[j]) { j += 1 }
    return j < scalars.count && scalars[j] == "m" ? j + 1 : nil
  }

  /// Everything written to a capture channel (empty for file descriptors).
  public var text: String { String(decoding: captured, as: UTF8.self) }

  deinit { flush() }
}

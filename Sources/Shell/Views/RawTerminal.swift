import Syscalls

#if canImport(Glibc)
  import Glibc
#endif

/// The terminal in raw mode on the alternate screen, for full-screen views.
///
/// Entering saves the terminal settings; `restore()` (also run by `deinit`, and by the
/// SIGTERM/SIGHUP/SIGQUIT handlers) puts everything back, so no exit path leaves the
/// user's terminal raw.
final class RawTerminal {
  private let fd: Int32
  private var saved = termios()
  private var active = false

  /// Switches `fd` (a terminal) to raw mode and the alternate screen.
  init(fd: Int32 = 0) throws(ShellError) {
    self.fd = fd
    guard isatty(fd) == 1 else { throw .terminal(.notATerminal) }
    guard tcgetattr(fd, &saved) == 0 else { throw .terminal(.cannotReadSettings(errno: Syscall.lastError)) }
    var raw = saved
    raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
    raw.c_cflag |= tcflag_t(CS8)
    withUnsafeMutableBytes(of: &raw.c_cc) { cc in
      cc[Int(VMIN)] = 0
      cc[Int(VTIME)] = 0
    }
    guard tcsetattr(fd, TCSAFLUSH, &raw) == 0 else { throw .terminal(.cannotSetRawMode) }
    active = true
    RawTerminal.savedForSignals = saved
    RawTerminal.savedFD = fd
    for sig in [SIGTERM, SIGHUP, SIGQUIT] { signal(sig, rawTerminalSignalHandler) }
    write("\u{1B}[?1049h\u{1B}[?25l")
  }

  /// Leaves the alternate screen and restores the saved settings (idempotent).
  func restore() {
    guard active else { return }
    active = false
    write("\u{1B}[?25h\u{1B}[?1049l")
    _ = tcsetattr(fd, TCSAFLUSH, &saved)
    for sig in [SIGTERM, SIGHUP, SIGQUIT] { signal(sig, SIG_DFL) }
    RawTerminal.savedFD = -1
  }

  deinit { restore() }

  /// Writes bytes straight to the terminal.
  func write(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeMutableBytes { buffer -> Int in
        guard let base = buffer.baseAddress else { return 0 }
        return Glibc.write(1, base + offset, buffer.count - offset)
      }
      if n < 0 && Syscall.lastError.rawValue == EINTR { continue }
      if n <= 0 { return }
      offset += n
    }
  }

  /// The terminal's size, or 80×24 when it cannot be read.
  func size() -> (columns: Int, rows: Int) {
    var ws = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 { return (Int(ws.ws_col), Int(ws.ws_row)) }
    return (80, 24)
  }

  /// Waits up to `timeoutMilliseconds` for a key and returns it, or nil on timeout.
  func readKey(timeoutMilliseconds: Int32) -> Key? {
    guard let first = readByte(timeout: timeoutMilliseconds) else { return nil }
    switch first {
    case 0x1B:
      // A lone Escape, or the start of an arrow-key sequence (ESC [ A).
      guard let second = readByte(timeout: 30) else { return .escape }
      guard second == UInt8(ascii: "[") || second == UInt8(ascii: "O"), let third = readByte(timeout: 30) else {
        return .escape
      }
      switch third {
      case UInt8(ascii: "A"): return .up
      case UInt8(ascii: "B"): return .down
      case UInt8(ascii: "C"): return .right
      case UInt8(ascii: "D"): return .left
      case UInt8(ascii: "5"):
        _ = readByte(timeout: 30)
        return .pageUp
      case UInt8(ascii: "6"):
        _ = readByte(timeout: 30)
        return .pageDown
      default: return .other
      }
    case 0x0D, 0x0A: return .enter
    case 0x03: return .interrupt
    case 0x7F, 0x08: return .backspace
    default:
      return first < 0x80 ? .character(Character(Unicode.Scalar(first))) : .other
    }
  }

  private func readByte(timeout: Int32) -> UInt8? {
    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    let ready = poll(&pfd, 1, timeout)
    guard ready > 0 else { return nil }
    var byte: UInt8 = 0
    return read(fd, &byte, 1) == 1 ? byte : nil
  }

  /// A key press as the views understand it.
  enum Key: Equatable {
    case up, down, left, right, pageUp, pageDown, enter, escape, backspace, interrupt, other
    case character(Character)
  }

  nonisolated(unsafe) static var savedForSignals = termios()
  nonisolated(unsafe) static var savedFD: Int32 = -1
}

/// Restores the terminal and dies of the same signal, so a kill never leaves it raw.
private func rawTerminalSignalHandler(_ sig: Int32) {
  if RawTerminal.savedFD >= 0 {
    let leave = "\u{1B}[?25h\u{1B}[?1049l"
    _ = leave.withCString { Glibc.write(1, $0, strlen($0)) }
    _ = tcsetattr(RawTerminal.savedFD, TCSAFLUSH, &RawTerminal.savedForSignals)
  }
  signal(sig, SIG_DFL)
  raise(sig)
}

#if canImport(Glibc)
  import Glibc
#endif

/// Facts about the terminal: whether a descriptor is one, and how wide it is.
///
/// The corresponding C calls are `isatty` and `ioctl(TIOCGWINSZ)`.
public enum Terminal {
  /// Whether the descriptor is a terminal.
  public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

  /// Columns: `COLUMNS` when it is a positive number, else the terminal's width on
  /// standard output (or error), else 80.
  public static func width(environment: [String: String]) -> Int {
    if let columns = environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 { return columns }
    for fd: Int32 in [1, 2, 0] {
      var size = winsize()
      if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    }
    return 80
  }
}

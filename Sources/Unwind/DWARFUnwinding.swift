import Capture
import Glibc
import Symbolize

/// The sampler's stack-copy unwinding support: surveys a program's binaries for frame
/// pointers to decide `--call-graph auto`, and makes a `DWARFUnwinder` per run.
public struct DWARFUnwinding: UserStackUnwinding {
  /// Below this share of functions with a frame-pointer prologue, a binary lacks frame pointers.
  public var framePointerThreshold: Double

  /// Creates a value from its parts.
  public init(framePointerThreshold: Double = 0.5) {
    self.framePointerThreshold = framePointerThreshold
  }

  /// True unless the binary's functions mostly set up frame pointers. A file that cannot
  /// be read (or a script) gets DWARF: it works with frame pointers too, only costs more.
  public func prefersDWARF(executable: String) -> Bool {
    // Go keeps frame pointers on amd64 (its prologues start with a stack check, so the
    // prologue count below misses them) and ships no .eh_frame to unwind with.
    if GoBinaryDetector.isGo(path: executable) { return false }
    guard let binary = try? UnwindBinary(path: executable), let share = binary.framePointerPrologueShare() else {
      return true
    }
    return share < framePointerThreshold
  }

  /// The executable (or, for a `#!` script, its interpreter), its loader and its needed
  /// libraries, each judged by `prefersDWARF`.
  public func survey(executable: String) -> FramePointerSurvey {
    let program = Self.scriptInterpreter(of: executable) ?? executable
    var seen = Set<String>()
    let checked = ([program] + LibraryLocator(executable: program).loadedPaths(of: program)).filter {
      seen.insert($0).inserted
    }
    return FramePointerSurvey(checked: checked, lacking: checked.filter { prefersDWARF(executable: $0) })
  }

  /// A fresh unwinder.
  public func makeUnwinder() -> any UserStackUnwinder { DWARFUnwinder() }

  /// Go: frame pointers everywhere, also in the runtime's futex and syscall paths.
  public func prefersFramePointersOffCPU(executable: String) -> Bool { GoBinaryDetector.isGo(path: executable) }

  /// The interpreter a `#!` line names (`#!/usr/bin/env NAME` looked up on PATH), or nil.
  static func scriptInterpreter(of path: String) -> String? {
    guard let fd = try? MappedFile.openRegular(path: path).fd else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 256)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 256) }
    guard n > 2, buffer[0] == 0x23, buffer[1] == 0x21 else { return nil }  // "#!"
    let line = buffer[2..<n].prefix { $0 != 0x0a }
    let words = String(decoding: line, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(
      String.init)
    guard let first = words.first else { return nil }
    guard first.hasSuffix("/env") else { return first }
    guard let name = words.dropFirst().first(where: { !$0.hasPrefix("-") && !$0.contains("=") }) else { return nil }
    if name.contains("/") { return name }
    let searchPath = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
    for dir in searchPath.split(separator: ":") where access("\(dir)/\(name)", X_OK) == 0 { return "\(dir)/\(name)" }
    return nil
  }
}

import ProfileModel

/// Why bytes could not be read as a profile, or a profile could not be written.
///
/// Descriptions are lower-case and name what is wrong; the shell prefixes
/// `perfsh: FILE: `, so they never repeat the file name.
public enum FormatError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The input has no bytes at all.
  case empty
  /// The input is gzip data that decompresses to nothing.
  case emptyGzip
  /// The content is neither a pprof profile nor folded stacks.
  case unrecognized
  /// The gzip stream ends before its trailer.
  case truncatedGzip
  /// The gzip header (magic, method or flags) is wrong.
  case badGzipHeader
  /// zlib rejected the compressed data; `detail` is zlib's message.
  case corruptGzip(detail: String)
  /// Decompressing would exceed `limit` bytes.
  case tooLarge(limit: Int)
  /// Decoding the profile would need more than `limit` bytes of memory (estimated while scanning).
  case needsTooMuchMemory(limit: Int)
  /// The input file is larger than `limit` bytes.
  case fileTooLarge(limit: Int)
  /// The protobuf wire data is malformed at byte `offset` of the (decompressed) profile.
  case corruptPprof(offset: Int, reason: String)
  /// The protobuf parses but breaks one of profile.proto's rules.
  case invalidPprof(reason: String)
  /// A line of folded stacks (1-based) is malformed.
  case badFoldedLine(line: Int, reason: String)
  /// The profile to write has inconsistent references.
  case invalidProfile(ProfileError)
  /// A file system call failed while writing `path`.
  case io(path: String, operation: String, errno: Int32)

  /// A lower-case message naming what is wrong, for `perfsh: FILE: <message>`.
  public var description: String {
    switch self {
    case .empty: return "empty file"
    case .emptyGzip: return "gzip data that decompresses to nothing"
    case .unrecognized: return "not a pprof profile or folded stacks"
    case .truncatedGzip: return "truncated gzip data (the file ends in the middle of the compressed stream)"
    case .badGzipHeader: return "bad gzip header"
    case .corruptGzip(let detail): return "corrupt gzip data: \(detail)"
    case .tooLarge(let limit): return "decompressed profile is larger than the \(sizeText(limit)) limit"
    case .needsTooMuchMemory(let limit):
      return "profile would need more than the \(sizeText(limit)) memory limit to load (forged counts or a decompression bomb?)"
    case .fileTooLarge(let limit): return "file is larger than the \(sizeText(limit)) limit"
    case .corruptPprof(let offset, let reason): return "corrupt pprof profile at byte \(offset): \(reason)"
    case .invalidPprof(let reason): return "invalid pprof profile: \(reason)"
    case .badFoldedLine(let line, let reason): return "folded stacks line \(line): \(reason)"
    case .invalidProfile(let e): return "cannot write profile: \(e.description)"
    case .io(let path, let op, let errno): return "\(path): \(op) failed: \(errnoText(errno))"
    }
  }
}

/// A byte count as MiB when it is a whole number of them, else in bytes.
private func sizeText(_ bytes: Int) -> String {
  bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes)-byte"
}

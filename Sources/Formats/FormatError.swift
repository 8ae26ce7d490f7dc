import ProfileModel
import Syscalls

/// Why bytes could not be read as a profile, or a profile could not be written.
///
/// Descriptions are lower-case and name what is wrong. Cases that carry a `path` (file
/// system errors) start with it, so callers print them as they are; for the others the
/// shell prefixes `perfsh: FILE: ` (see `namesPath`), so a message names the file once.
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
  /// A perfsh session archive is malformed at byte `offset` of its (decompressed) payload.
  case corruptArchive(offset: Int, reason: String)
  /// A perfsh session archive written by a newer perfsh (format `version`; this one reads up to `supported`).
  case newerArchive(version: UInt32, supported: UInt32)
  /// A perfsh session archive decodes but its content is inconsistent.
  case invalidArchive(reason: String)
  /// The protobuf parses but breaks one of profile.proto's rules.
  case invalidPprof(reason: String)
  /// JSON text is malformed at `line`:`column` (1-based).
  case corruptJSON(line: Int, column: Int, reason: String)
  /// The JSON parses but is not a usable Chrome trace (no events, or none with durations).
  case invalidChromeTrace(reason: String)
  /// A line of folded stacks (1-based) is malformed.
  case badFoldedLine(line: Int, reason: String)
  /// The |values| of one sample type add up to 2^62 or more (ProfileModel's `ValueLimit`).
  case valuesPastLimit(sampleType: ValueType)
  /// The profile to write has inconsistent references.
  case invalidProfile(ProfileError)
  /// A file system call failed while reading or writing `path`.
  case io(path: String, operation: String, errno: Errno)
  /// An input at `path` is not a regular file (a FIFO would block, `/dev/zero` never ends).
  case notRegularFile(path: String, kind: FileKind)
  /// An output at `path` is a directory, block device or socket, which export never replaces.
  case cannotWriteTo(path: String, kind: FileKind)
  /// An output at `path` is a FIFO that no process is reading (writing would block forever).
  case fifoWithoutReader(path: String)

  /// A lower-case message naming what is wrong, for `perfsh: FILE: <message>`.
  public var description: String {
    switch self {
    case .empty: return "empty file"
    case .emptyGzip: return "gzip data that decompresses to nothing"
    case .unrecognized: return "not a pprof profile, folded stacks or Chrome trace JSON"
    case .truncatedGzip: return "truncated gzip data (the file ends in the middle of the compressed stream)"
    case .badGzipHeader: return "bad gzip header"
    case .corruptGzip(let detail): return "corrupt gzip data: \(detail)"
    case .tooLarge(let limit): return "decompressed profile is larger than the \(sizeText(limit)) limit"
    case .needsTooMuchMemory(let limit):
      return
        "profile would need more than the \(sizeText(limit)) memory limit to load (forged counts or a decompression bomb?)"
    case .fileTooLarge(let limit): return "file is larger than the \(sizeText(limit)) limit"
    case .corruptPprof(let offset, let reason): return "corrupt pprof profile at byte \(offset): \(reason)"
    case .invalidPprof(let reason): return "invalid pprof profile: \(reason)"
    case .corruptArchive(let offset, let reason): return "corrupt perfsh session file at byte \(offset): \(reason)"
    case .newerArchive(let v, let supported):
      return "perfsh session file format \(v) is newer than this perfsh reads (up to \(supported)); upgrade perfsh"
    case .invalidArchive(let reason): return "invalid perfsh session file: \(reason)"
    case .badFoldedLine(let line, let reason): return "folded stacks line \(line): \(reason)"
    case .corruptJSON(let line, let column, let reason):
      return "corrupt JSON at line \(line), column \(column): \(reason)"
    case .invalidChromeTrace(let reason): return "invalid Chrome trace: \(reason)"
    case .valuesPastLimit(let t): return ProfileError.valuesPastLimit(sampleType: t).description
    case .invalidProfile(let e): return "cannot write profile: \(e.description)"
    case .io(let path, let op, let errno): return "\(path): \(op) failed: \(errno.message)"
    case .notRegularFile(let path, let kind): return "\(path): is \(kind), not a regular file"
    case .cannotWriteTo(let path, let kind):
      return "\(path): is \(kind); perfsh writes only regular files, character devices and FIFOs"
    case .fifoWithoutReader(let path):
      return "\(path): is a FIFO with no reader (perfsh does not wait for one; start the reader first)"
    }
  }

  /// The path the error names, when its description starts with one; the shell then
  /// prints the description without prefixing the file again.
  public var path: String? {
    switch self {
    case .io(let path, _, _), .notRegularFile(let path, _), .cannotWriteTo(let path, _), .fifoWithoutReader(let path):
      return path
    default:
      return nil
    }
  }

  /// The description without the leading `PATH: `, for callers that name the file themselves.
  public var reason: String {
    let text = description
    guard let path, text.hasPrefix(path + ": ") else { return text }
    return String(text.dropFirst(path.count + 2))
  }
}

/// A byte count as MiB when it is a whole number of them, else in bytes.
private func sizeText(_ bytes: Int) -> String {
  bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes)-byte"
}

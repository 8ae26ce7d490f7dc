import ProfileModel

/// A profile file format perfsh reads, as detected from content (never from the file name).
public enum ProfileFormat: Sendable, Equatable, CustomStringConvertible {
  /// pprof's profile.proto.
  case pprof(gzipped: Bool)
  /// Folded stacks text.
  case folded(gzipped: Bool)
  /// Chrome trace-event JSON (e.g. `clang -ftime-trace`, perfsh's `export chrome`).
  case chromeTrace(gzipped: Bool)

  /// The format as `info` and load notes name it, e.g. "gzipped pprof".
  public var description: String {
    switch self {
    case .pprof(let gz): return gz ? "gzipped pprof" : "pprof"
    case .folded(let gz): return gz ? "gzipped folded stacks" : "folded stacks"
    case .chromeTrace(let gz): return gz ? "gzipped Chrome trace JSON" : "Chrome trace JSON"
    }
  }
}

/// Loads a profile from the bytes of a file, detecting its format from the content:
/// gzip is unwrapped first, then JSON (a Chrome trace) and protobuf are told from folded-stacks text.
public enum ProfileLoader {
  /// How many leading bytes decide whether content is text.
  static let sniffLength = 64 * 1024

  /// The profile in `bytes`; `name` (the file's name) is recorded in the profile's run notes.
  public static func load(
    bytes: [UInt8], name: String, limit: Int = Gzip.defaultLimit, memoryBudget: Int = PprofDecoder.defaultMemoryBudget
  ) throws(FormatError) -> Profile {
    try loadDetectingFormat(bytes: bytes, name: name, limit: limit, memoryBudget: memoryBudget).profile
  }

  /// The profile in `bytes` and the format it was read as.
  public static func loadDetectingFormat(
    bytes: [UInt8], name: String, limit: Int = Gzip.defaultLimit, memoryBudget: Int = PprofDecoder.defaultMemoryBudget
  ) throws(FormatError) -> (profile: Profile, format: ProfileFormat) {
    var bytes = bytes
    return try loadDetectingFormat(releasing: &bytes, name: name, limit: limit, memoryBudget: memoryBudget)
  }

  /// The profile in `bytes` and the format it was read as; `bytes` is emptied once it is
  /// inflated (or handed to the decoder), so a caller that holds no other copy of the file does
  /// not keep it through the decode's peak.
  public static func loadDetectingFormat(
    releasing bytes: inout [UInt8], name: String, limit: Int = Gzip.defaultLimit,
    memoryBudget: Int = PprofDecoder.defaultMemoryBudget
  ) throws(FormatError) -> (profile: Profile, format: ProfileFormat) {
    guard !bytes.isEmpty else { throw .empty }
    let gzipped = Gzip.isGzip(bytes)
    var plain = gzipped ? try Gzip.decompress(bytes, limit: limit) : bytes
    bytes = []
    guard !plain.isEmpty else { throw .emptyGzip }
    let detected = withRawBytes(plain) { (raw) -> ProfileFormat? in detect(raw) }
    var profile: Profile
    let format: ProfileFormat
    switch detected {
    case .pprof?:
      profile = try PprofDecoder.decode(releasing: &plain, memoryBudget: memoryBudget)
      format = .pprof(gzipped: gzipped)
    case .folded?:
      profile = try FoldedStacksReader.read(plain, memoryBudget: memoryBudget)
      format = .folded(gzipped: gzipped)
    case .chromeTrace?:
      profile = try withRawBytes(plain) { (raw) throws(FormatError) in
        try ChromeTraceReader.read(raw, memoryBudget: memoryBudget).profile
      }
      format = .chromeTrace(gzipped: gzipped)
    case nil:
      throw .unrecognized
    }
    profile.run.notes.append("loaded from \(name) (\(format))")
    return (profile, format)
  }

  /// The profile in the file at `path` (read with `InputFile.read`); errors do not repeat the path
  /// except for I/O errors, which carry it.
  public static func load(path: String) throws(FormatError) -> Profile {
    try loadDetectingFormat(path: path).profile
  }

  /// The profile in the file at `path` and the format it was read as.
  public static func loadDetectingFormat(path: String) throws(FormatError) -> (profile: Profile, format: ProfileFormat)
  {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    var bytes = try InputFile.read(path)
    return try loadDetectingFormat(releasing: &bytes, name: name)
  }

  /// The format of uncompressed `bytes`, or nil when they are neither pprof, Chrome trace JSON
  /// nor folded stacks.
  public static func detect(_ bytes: UnsafeRawBufferPointer) -> ProfileFormat? {
    if ChromeTraceReader.looksLikeJSON(bytes) { return .chromeTrace(gzipped: false) }
    if looksLikeText(bytes) {
      return firstSampleLineParses(bytes) ? .folded(gzipped: false) : nil
    }
    return looksLikeProto(bytes) ? .pprof(gzipped: false) : nil
  }

  /// True when the first bytes are a Profile field tag with the wire type profile.proto gives it.
  static func looksLikeProto(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let first = bytes.first, first < 0x80 else { return false }
    let field = first >> 3
    let wire = first & 7
    switch field {
    case 1, 2, 3, 4, 5, 6, 11: return wire == 2
    case 7, 8, 9, 10, 12, 14, 15: return wire == 0
    case 13: return wire == 0 || wire == 2
    default: return false
    }
  }

  /// True when the first `sniffLength` bytes hold no control characters other than
  /// tab, newline and carriage return (UTF-8 is let through unchecked).
  static func looksLikeText(_ bytes: UnsafeRawBufferPointer) -> Bool {
    for b in bytes.prefix(sniffLength) where b < 0x20 || b == 0x7f {
      if b != 0x09 && b != 0x0A && b != 0x0D { return false }
    }
    return true
  }

  /// True when the first line that is not blank or a `#` comment reads as a folded sample.
  static func firstSampleLineParses(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var start = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count && bytes[end] != 0x0A { end += 1 }
      let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
      let trimmed = line.drop { FoldedStacksReader.isSpace($0) }
      if !trimmed.isEmpty && trimmed.first != UInt8(ascii: "#") {
        return FoldedStacksReader.isSampleLine(line)
      }
      start = end + 1
    }
    return false
  }
}

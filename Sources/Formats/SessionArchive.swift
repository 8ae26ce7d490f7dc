import ProfileModel

/// One session as a perfsh session archive holds it: the profile and what the shell knows
/// about it (name, where it came from, view filters). Shell-free, so Formats stays below Shell.
public struct ArchivedSession: Sendable {
  /// What produced the session: a file (path and format text) or a command line.
  public enum Source: Sendable, Equatable {
    case file(path: String, format: String)
    case run(command: [String])
  }

  public var name: String
  public var source: Source
  /// The focus / ignore / hide expressions as typed.
  public var focus: [String]
  public var ignore: [String]
  public var hide: [String]
  public var profile: Profile

  public init(
    name: String, source: Source, focus: [String] = [], ignore: [String] = [], hide: [String] = [], profile: Profile
  ) {
    self.name = name
    self.source = source
    self.focus = focus
    self.ignore = ignore
    self.hide = hide
    self.profile = profile
  }
}

/// perfsh's own lossless file format for sessions (`save` / `open`); see docs/session-format.md.
///
/// Layout: 8 magic bytes, a little-endian UInt32 format version, then one gzip stream whose
/// content is a protobuf-style message (the codec of the pprof support) holding the sessions.
public enum SessionArchive {
  /// `\x89PERFSH\n`: not text, not gzip, not a protobuf tag pprof would start with.
  public static let magic: [UInt8] = [0x89, 0x50, 0x45, 0x52, 0x46, 0x53, 0x48, 0x0A]
  /// The format version this build writes and the newest it reads.
  public static let version: UInt32 = 1
  /// Bytes before the compressed payload (magic and version).
  static let headerSize = 12

  /// True when `bytes` start with the archive magic (regardless of version).
  public static func hasMagic(_ bytes: [UInt8]) -> Bool {
    bytes.count >= magic.count && bytes[0..<magic.count].elementsEqual(magic)
  }

  /// The archive bytes of `sessions`: header plus gzip (level `level`) of the payload.
  public static func encode(_ sessions: [ArchivedSession], level: Int32 = 1) -> [UInt8] {
    let payload = SessionArchiveWriter.payload(sessions)
    var out = magic
    withUnsafeBytes(of: version.littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: Gzip.compress(payload, level: level))
    return out
  }

  /// The sessions in archive `bytes`; a newer version, a bad checksum or any inconsistency
  /// is an error, never a partial result.
  public static func decode(_ bytes: [UInt8], limit: Int = Gzip.defaultLimit) throws(FormatError) -> [ArchivedSession] {
    guard hasMagic(bytes) else { throw .unrecognized }
    guard bytes.count >= headerSize else {
      throw .corruptArchive(offset: bytes.count, reason: "file ends inside the header")
    }
    let v = UInt32(bytes[8]) | UInt32(bytes[9]) << 8 | UInt32(bytes[10]) << 16 | UInt32(bytes[11]) << 24
    guard v >= 1 else { throw .corruptArchive(offset: 8, reason: "format version 0") }
    guard v <= version else { throw .newerArchive(version: v, supported: version) }
    let plain = try withRawBytes(bytes) { (raw) throws(FormatError) -> [UInt8] in
      let body = UnsafeRawBufferPointer(rebasing: raw[headerSize...])
      guard Gzip.isGzip(body) else {
        throw FormatError.corruptArchive(offset: headerSize, reason: "payload is not gzip data")
      }
      return try Gzip.decompress(body, limit: limit)
    }
    return try SessionArchiveReader.sessions(plain)
  }

  /// Writes `sessions` to `path` atomically (a reader never sees half a file).
  public static func write(_ sessions: [ArchivedSession], to path: String) throws(FormatError) {
    try AtomicFile.write(encode(sessions), to: path)
  }

  /// The sessions in the archive at `path`.
  public static func read(path: String) throws(FormatError) -> [ArchivedSession] {
    try decode(try InputFile.read(path))
  }
}

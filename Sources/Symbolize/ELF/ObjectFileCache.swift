import Dispatch

/// A binary mapped and its ELF headers parsed once, shared by symbolization (`BinaryImage`),
/// unwinding (`UnwindBinary`) and probe placement; the mapping lives while any of them holds it.
public final class ObjectFile: @unchecked Sendable {
  // Immutable after init: shared read-only across threads (the symbolizer's prefetch queue).
  private let file: MappedFile
  /// The parsed ELF headers; its bytes point into this object's mapping.
  public let elf: ELFFile

  /// The path the file was opened from.
  public var path: String { file.path }
  /// The file's bytes, valid while this object lives.
  public var bytes: UnsafeRawBufferPointer { file.bytes }

  /// Maps `path` and parses its ELF headers.
  public convenience init(path: String) throws(SymbolizeError) {
    try self.init(file: MappedFile(path: path))
  }

  /// Parses the ELF headers of `file` (also memory borrowed as a file, e.g. the vDSO).
  public init(file: consuming MappedFile) throws(SymbolizeError) {
    elf = try ELFFile(bytes: file.bytes, path: file.path)
    self.file = file
  }
}

/// The one cache of opened binaries, keyed by path and the file's identity (device, inode,
/// size, modification time): an unchanged binary is mapped and parsed once per shell however
/// many readers ask, and a rebuilt one is opened afresh. Bounded: the least recently used
/// entries go first (their mappings stay while a reader still holds them).
public final class ObjectFileCache: @unchecked Sendable {
  /// The cache every reader of a shell shares.
  public static let shared = ObjectFileCache()

  private struct Key: Hashable {
    var path: String
    var identity: FileIdentity
  }

  private let queue = DispatchQueue(label: "perfsh.object-files")
  // Guarded by `queue`.
  private var entries: [Key: (object: ObjectFile, used: UInt64)] = [:]
  private var clock: UInt64 = 0
  private var opens = 0
  private let capacity: Int

  /// An empty cache of at most `capacity` binaries.
  public init(capacity: Int = 128) {
    self.capacity = max(1, capacity)
  }

  /// The binary at `path`, opened and parsed now unless an unchanged copy is cached.
  public func open(_ path: String) throws(SymbolizeError) -> ObjectFile {
    let result: Result<ObjectFile, SymbolizeError> = queue.sync {
      clock &+= 1
      let identity = FileIdentity.of(path: path)
      if identity != .missing, let hit = entries[Key(path: path, identity: identity)] {
        entries[Key(path: path, identity: identity)] = (hit.object, clock)
        return .success(hit.object)
      }
      do throws(SymbolizeError) {
        let object = try ObjectFile(path: path)
        opens += 1
        // Keyed by what was opened: a file replaced since the lookup is keyed by its new identity.
        let identity = FileIdentity.of(path: path)
        if identity != .missing {
          if entries.count >= capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries[oldest] = nil
          }
          entries[Key(path: path, identity: identity)] = (object, clock)
        }
        return .success(object)
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// How many times a file was actually mapped and parsed (not found in the cache).
  public var openCount: Int { queue.sync { opens } }

  /// Binaries held now.
  public var count: Int { queue.sync { entries.count } }

  /// Drops every entry (their mappings go once no reader holds them).
  public func removeAll() { queue.sync { entries.removeAll() } }
}

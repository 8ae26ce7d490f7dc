/// Interned strings: each distinct string is stored once and named by a `StringID`.
///
/// Index 0 is always the empty string, as in pprof's `string_table`. The strings' UTF-8 bytes
/// sit back to back in one buffer with an end offset each, and the lookup index holds ids and
/// hashes: a string costs its bytes plus about 24, not a heap object and a dictionary entry.
public struct StringTable: Sendable {
  /// UTF-8 of every string, back to back.
  private var bytes: [UInt8] = []
  /// End offset of each string in `bytes`; string `i` starts where string `i - 1` ends.
  private var ends: [Int] = [0]
  private var index = StringTable.indexOfEmptyString()

  public init() {}

  private static func indexOfEmptyString() -> HashIndex {
    var index = HashIndex()
    index.append(hash: hash(UnsafeBufferPointer(start: nil, count: 0)), indexed: true)
    return index
  }

  /// Builds a table from strings in order; duplicates keep their first id for lookups.
  public init(_ strings: [String]) {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    ends.reserveCapacity(max(1, strings.count))
    for s in strings {
      bytes.append(contentsOf: s.utf8)
      ends.append(bytes.count)
    }
    self.init(utf8: bytes, ends: ends)
  }

  /// Builds a table from UTF-8 bytes laid out back to back, `ends[i]` the end of string `i`
  /// (non-decreasing, the last one `utf8.count`); an empty `ends` is the table of "" alone.
  /// Duplicates keep their first id for lookups. Bytes must be valid UTF-8 (decoders repair first).
  public init(utf8: [UInt8], ends: [Int]) {
    precondition(ends.last ?? 0 == utf8.count, "string ends do not cover the bytes")
    guard !ends.isEmpty else { return }
    var index = HashIndex(capacity: ends.count)
    utf8.withUnsafeBufferPointer { b in
      ends.withUnsafeBufferPointer { e in
        var start = 0
        for end in e {
          let s = UnsafeBufferPointer(rebasing: b[start..<end])
          let h = Self.hash(s)
          let isNew = index.find(hash: h, matching: { Self.equal(Int($0), s, bytes: b, ends: e) }) == nil
          index.append(hash: h, indexed: isNew)
          start = end
        }
      }
    }
    self.bytes = utf8
    self.ends = ends
    self.index = index
  }

  /// The id of `s`, adding it when new.
  @discardableResult
  public mutating func intern(_ s: String) -> StringID {
    var s = s
    return s.withUTF8 { utf8 in
      let h = Self.hash(utf8)
      if let id = find(utf8, hash: h) { return id }
      let id = StringID(count)
      bytes.append(contentsOf: utf8)
      ends.append(bytes.count)
      index.append(hash: h, indexed: true)
      return id
    }
  }

  /// The id of `s` if it is already in the table.
  public func lookup(_ s: String) -> StringID? {
    var s = s
    return s.withUTF8 { utf8 in find(utf8, hash: Self.hash(utf8)) }
  }

  @inlinable public subscript(id: StringID) -> String { string(at: id.index) }

  public var count: Int { ends.count }

  /// Every string in id order (a copy; encoders use `forEachUTF8`).
  public var strings: [String] { (0..<count).map { string(at: $0) } }

  /// Calls `body` with the UTF-8 of each string in id order, without making `String`s.
  public func forEachUTF8(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
    try bytes.withUnsafeBufferPointer { b in
      var start = 0
      for end in ends {
        try body(UnsafeBufferPointer(rebasing: b[start..<end]))
        start = end
      }
    }
  }

  /// The string with index `i`.
  @usableFromInline func string(at i: Int) -> String {
    let start = i == 0 ? 0 : ends[i - 1]
    return bytes.withUnsafeBufferPointer {
      String(decoding: UnsafeBufferPointer(rebasing: $0[start..<ends[i]]), as: UTF8.self)
    }
  }

  private func find(_ utf8: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> StringID? {
    bytes.withUnsafeBufferPointer { b in
      ends.withUnsafeBufferPointer { e in
        index.find(hash: h, matching: { Self.equal(Int($0), utf8, bytes: b, ends: e) }).map(StringID.init)
      }
    }
  }

  /// True when string `i` of the table with these bytes and ends has the bytes of `s`.
  @inline(__always)
  private static func equal(
    _ i: Int, _ s: UnsafeBufferPointer<UInt8>, bytes b: UnsafeBufferPointer<UInt8>, ends e: UnsafeBufferPointer<Int>
  ) -> Bool {
    let start = i == 0 ? 0 : e[i - 1]
    let end = e[i]
    guard end - start == s.count else { return false }
    guard let p = s.baseAddress, let q = b.baseAddress, s.count > 0 else { return true }
    return memcmpBytes(p, q + start, s.count)
  }

  /// SipHash of the bytes (per-process seed), so crafted strings cannot pile into one probe run.
  private static func hash(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h = Hasher()
    h.combine(bytes: UnsafeRawBufferPointer(s))
    return UInt64(bitPattern: Int64(h.finalize()))
  }
}

@inline(__always)
private func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
  for i in 0..<n where a[i] != b[i] { return false }
  return true
}

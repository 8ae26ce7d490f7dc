/// Interned strings: each distinct string is stored once and named by a `StringID`.
///
/// Index 0 is always the empty string, as in pprof's `string_table`.
public struct StringTable: Sendable {
  public private(set) var strings: [String] = [""]
  private var index: [String: StringID] = ["": .empty]

  public init() {}

  /// Builds a table from strings in order; duplicates keep their first id for lookups.
  public init(_ strings: [String]) {
    self.strings = strings.isEmpty ? [""] : strings
    self.index = [:]
    self.index.reserveCapacity(self.strings.count)
    for (i, s) in self.strings.enumerated() where self.index[s] == nil {
      self.index[s] = StringID(i)
    }
  }

  /// The id of `s`, adding it when new.
  @discardableResult
  public mutating func intern(_ s: String) -> StringID {
    if let id = index[s] { return id }
    let id = StringID(strings.count)
    strings.append(s)
    index[s] = id
    return id
  }

  /// The id of `s` if it is already in the table.
  public func lookup(_ s: String) -> StringID? { index[s] }

  @inlinable public subscript(id: StringID) -> String { strings[id.index] }

  public var count: Int { strings.count }
}

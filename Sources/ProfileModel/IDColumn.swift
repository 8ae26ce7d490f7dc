/// A handle stored in a `PackedIntColumn` (its `raw` value is a non-negative index).
public protocol PackedIdentifier: Sendable {
  init(_ raw: Int32)
  var raw: Int32 { get }
}

extension StackID: PackedIdentifier {}
extension LabelSetID: PackedIdentifier {}
extension LocationID: PackedIdentifier {}

/// A column of handles stored as narrowly as their range allows (see `PackedIntColumn`):
/// a session's label sets are often all `.none` (no bytes), stack ids of a small tree take two.
public struct IDColumn<ID: PackedIdentifier>: Sendable, RandomAccessCollection {
  /// The stored raw values.
  public private(set) var packed = PackedIntColumn()

  public init() {}

  /// A column holding `ids`, stored as narrowly as the whole set allows.
  public init(_ ids: [ID]) {
    packed = PackedIntColumn(count: ids.count) { Int64(ids[$0].raw) }
  }

  /// A column of `count` handles, `id(i)` for each `i` (called twice per index, as
  /// `PackedIntColumn.init(count:_:)` does).
  public init(count: Int, _ id: (Int) -> ID) {
    packed = PackedIntColumn(count: count) { Int64(id($0).raw) }
  }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { packed.count }
  @inlinable public subscript(i: Int) -> ID { ID(Int32(truncatingIfNeeded: packed[i])) }

  /// Calls `body` with each handle in order, choosing the storage once rather than per handle.
  @inlinable public func forEach(_ body: (ID) throws -> Void) rethrows {
    try packed.forEach { try body(ID(Int32(truncatingIfNeeded: $0))) }
  }

  public mutating func append(_ id: ID) { packed.append(Int64(id.raw)) }
  /// Appends `count` handles, `id(0)`, `id(1)`, …, whose raw values lie in `smallest...largest`
  /// (`PackedIntColumn.append(count:smallest:largest:_:)`).
  public mutating func append(count: Int, smallest: Int32, largest: Int32, _ id: (Int) -> ID) {
    packed.append(count: count, smallest: Int64(smallest), largest: Int64(largest)) { Int64(id($0).raw) }
  }
  public mutating func reserveCapacity(_ n: Int) { packed.reserveCapacity(n) }
  /// Re-stores the handles as narrowly as they allow, with no spare room (`PackedIntColumn.compact`).
  public mutating func compact() { packed.compact() }
}

extension IDColumn: Equatable {
  public static func == (a: IDColumn, b: IDColumn) -> Bool { a.packed == b.packed }
}

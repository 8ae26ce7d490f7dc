/// Dense, zero-based handles into a profile's tables.
///
/// Handles are plain indices wrapped in distinct types so a function handle can never be
/// used where a location handle is meant. pprof's one-based ids exist only in the codec.

/// An interned string; `StringID.empty` is always "".
public struct StringID: Hashable, Comparable, Sendable {
  public var raw: Int32
  @inlinable public init(_ raw: Int32) { self.raw = raw }
  @inlinable public init(_ index: Int) { self.raw = Int32(truncatingIfNeeded: index) }
  @inlinable public var index: Int { Int(raw) }
  public static let empty = StringID(Int32(0))
  @inlinable public static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }
}

/// A function in `Profile.functions`.
public struct FunctionID: Hashable, Comparable, Sendable {
  public var raw: Int32
  @inlinable public init(_ raw: Int32) { self.raw = raw }
  @inlinable public init(_ index: Int) { self.raw = Int32(truncatingIfNeeded: index) }
  @inlinable public var index: Int { Int(raw) }
  @inlinable public static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }
}

/// A location in `Profile.locations`.
public struct LocationID: Hashable, Comparable, Sendable {
  public var raw: Int32
  @inlinable public init(_ raw: Int32) { self.raw = raw }
  @inlinable public init(_ index: Int) { self.raw = Int32(truncatingIfNeeded: index) }
  @inlinable public var index: Int { Int(raw) }
  @inlinable public static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }
}

/// A mapping in `Profile.mappings`.
public struct MappingID: Hashable, Comparable, Sendable {
  public var raw: Int32
  @inlinable public init(_ raw: Int32) { self.raw = raw }
  @inlinable public init(_ index: Int) { self.raw = Int32(truncatingIfNeeded: index) }
  @inlinable public var index: Int { Int(raw) }
  @inlinable public static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }
}

/// A node of the stack prefix tree; `StackID.root` is the empty stack.
public struct StackID: Hashable, Comparable, Sendable {
  public var raw: Int32
  @inlinable public init(_ raw: Int32) { self.raw = raw }
  @inlinable public init(_ index: Int) { self.raw = Int32(truncatingIfNeeded: index) }
  @inlinable public var index: Int { Int(raw) }
  public static let root = StackID(Int32(0))
  @inlinable public static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }
}

/// An interned set of sample labels; `LabelSetID.none` has no labels.
public struct LabelSetID: Hashable, Sendable {
  public var raw: Int32
  @inlinable public init(_ raw: Int32) { self.raw = raw }
  @inlinable public init(_ index: Int) { self.raw = Int32(truncatingIfNeeded: index) }
  @inlinable public var index: Int { Int(raw) }
  public static let none = LabelSetID(Int32(0))
}

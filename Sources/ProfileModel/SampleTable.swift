/// The samples of a profile, stored by column.
///
/// Sample `i` has stack `stacks[i]`, label set `labelSets[i]` and the values
/// `values(of: i)`, one per sample type. Every column is a `PackedIntColumn`, stored in the
/// fewest bytes its values need (none for a column whose values are all equal), which is what
/// keeps a loaded session's samples small: a record is a few bytes, not 8 per field.
public struct SampleTable: Sendable {
  /// Number of values per sample (the number of sample types).
  public let width: Int
  public private(set) var stacks = IDColumn<StackID>()
  public private(set) var labelSets = IDColumn<LabelSetID>()
  /// One column per sample type: `columns[c][i]` is value `c` of sample `i`.
  public private(set) var columns: [PackedIntColumn]

  public init(width: Int) {
    self.width = width
    columns = Array(repeating: PackedIntColumn(), count: width)
  }

  /// A table from whole columns, each stored as narrowly as its values allow (no widening
  /// copies): `values` holds sample `i`'s values at `i * width ..< (i + 1) * width`.
  public init(width: Int, stacks: [StackID], labelSets: [LabelSetID], values: [Int64]) {
    precondition(
      stacks.count == labelSets.count && values.count == stacks.count * width,
      "\(stacks.count) stacks, \(labelSets.count) label sets and \(values.count) values for width \(width)")
    self.width = width
    self.stacks = IDColumn(stacks)
    self.labelSets = IDColumn(labelSets)
    columns = (0..<width).map { c in
      values.withUnsafeBufferPointer { v in PackedIntColumn(count: stacks.count) { v[$0 &* width &+ c] } }
    }
  }

  @inlinable public var count: Int { stacks.count }

  public mutating func reserveCapacity(_ n: Int) {
    stacks.reserveCapacity(n)
    labelSets.reserveCapacity(n)
    for c in 0..<width { columns[c].reserveCapacity(n) }
  }

  /// Appends a sample; `values.count` must equal `width`.
  public mutating func append(stack: StackID, values sampleValues: some Collection<Int64>, labels: LabelSetID = .none) {
    precondition(sampleValues.count == width, "sample has \(sampleValues.count) values for \(width) types")
    stacks.append(stack)
    labelSets.append(labels)
    for (c, v) in sampleValues.enumerated() { columns[c].append(v) }
  }

  /// Adds `delta` to value column `column` of sample `index` (wrapping, as `&+`).
  public mutating func add(_ delta: Int64, toSample index: Int, column: Int) {
    columns[column].set(index, columns[column][index] &+ delta)
  }

  /// Value `column` of sample `index`.
  @inlinable public func value(_ index: Int, _ column: Int) -> Int64 { columns[column][index] }

  /// All values of sample `index`, one per sample type (a view: nothing is copied).
  @inlinable public func values(of index: Int) -> Row { Row(table: self, index: index) }

  /// Every value, sample after sample: element `i * width + c` is value `c` of sample `i`
  /// (a view over the columns, for code that reads the values as one flat sequence).
  @inlinable public var values: FlatValues { FlatValues(table: self) }

  /// Calls `body` with each sample's stack and value `column`, in order, reading each column's
  /// storage once rather than per sample (the loop analysis runs over every sample).
  @inlinable public func forEach(column: Int, _ body: (StackID, Int64) throws -> Void) rethrows {
    var i = 0
    let values = columns[column]
    try stacks.forEach { stack in
      try body(stack, values[i])
      i &+= 1
    }
  }

  /// The values of one sample, one per sample type.
  public struct Row: RandomAccessCollection, Sendable {
    @usableFromInline let table: SampleTable
    @usableFromInline let index: Int
    @inlinable init(table: SampleTable, index: Int) {
      precondition(index >= 0 && index < table.count, "sample \(index) out of range of \(table.count)")
      self.table = table
      self.index = index
    }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { table.width }
    @inlinable public subscript(column: Int) -> Int64 { table.columns[column][index] }
  }

  /// Every value of the table, sample after sample (equal when the values are).
  public struct FlatValues: RandomAccessCollection, Sendable, Equatable {
    public static func == (a: FlatValues, b: FlatValues) -> Bool { a.elementsEqual(b) }
    @usableFromInline let table: SampleTable
    @inlinable init(table: SampleTable) { self.table = table }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { table.count * table.width }
    @inlinable public subscript(i: Int) -> Int64 {
      let (sample, column) = i.quotientAndRemainder(dividingBy: table.width)
      return table.columns[column][sample]
    }
  }
}

/// Interned sets of labels, so samples of one thread share a single label-set id.
public struct LabelSetTable: Sendable {
  public private(set) var sets: [[Label]] = [[]]
  private var index: [[Label]: LabelSetID] = [[]: .none]

  public init() {}

  @discardableResult
  public mutating func intern(_ labels: [Label]) -> LabelSetID {
    if let id = index[labels] { return id }
    let id = LabelSetID(sets.count)
    sets.append(labels)
    index[labels] = id
    return id
  }

  @inlinable public subscript(id: LabelSetID) -> [Label] { sets[id.index] }
  public var count: Int { sets.count }
}

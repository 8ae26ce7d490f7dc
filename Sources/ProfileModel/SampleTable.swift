/// The samples of a profile, stored by column.
///
/// Sample `i` has stack `stacks[i]`, label set `labelSets[i]` and the values
/// `values(of: i)`, one per sample type. Every column is a `PackedIntColumn`, stored in the
/// fewest bytes its values need (none for a column whose values are all equal), which is what
/// keeps a loaded session's samples small: a record is a few bytes, not 8 per field.
///
/// A value column that is another column times one factor in every sample (pprof's
/// cpu/nanoseconds = samples/count × period) stores nothing once `compact()` finds it: its
/// `ColumnScale` rebuilds each value exactly, and any change to either column stores it again.
public struct SampleTable: Sendable {
  /// Value column `c` is column `source` times `factor` in every sample, exactly (checked
  /// without overflow when found).
  public struct ColumnScale: Sendable, Equatable {
    public var source: Int
    public var factor: Int64
    public init(source: Int, factor: Int64) {
      self.source = source
      self.factor = factor
    }
  }

  /// Number of values per sample (the number of sample types).
  public let width: Int
  public private(set) var stacks = IDColumn<StackID>()
  public private(set) var labelSets = IDColumn<LabelSetID>()
  /// One stored column per sample type: `storedColumns[c][i]` is value `c` of sample `i`, except
  /// for a column with a scale (`scales[c]`), whose stored column is empty (read it through
  /// `value(_:_:)`, `column(_:)` or `forEach(column:_:)`).
  public private(set) var storedColumns: [PackedIntColumn]
  /// For each value column, the scale that rebuilds it from another column, or nil.
  public private(set) var scales: [ColumnScale?]

  public init(width: Int) {
    self.width = width
    storedColumns = Array(repeating: PackedIntColumn(), count: width)
    scales = Array(repeating: nil, count: width)
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
    storedColumns = (0..<width).map { c in
      values.withUnsafeBufferPointer { v in PackedIntColumn(count: stacks.count) { v[$0 &* width &+ c] } }
    }
    scales = Array(repeating: nil, count: width)
  }

  @inlinable public var count: Int { stacks.count }

  public mutating func reserveCapacity(_ n: Int) {
    stacks.reserveCapacity(n)
    labelSets.reserveCapacity(n)
    for c in 0..<width where scales[c] == nil { storedColumns[c].reserveCapacity(n) }
  }

  /// Appends a sample; `values.count` must equal `width`.
  public mutating func append(stack: StackID, values sampleValues: some Collection<Int64>, labels: LabelSetID = .none) {
    precondition(sampleValues.count == width, "sample has \(sampleValues.count) values for \(width) types")
    materializeScaledColumns()
    stacks.append(stack)
    labelSets.append(labels)
    for (c, v) in sampleValues.enumerated() { storedColumns[c].append(v) }
  }

  /// Adds `delta` to value column `column` of sample `index` (wrapping, as `&+`).
  public mutating func add(_ delta: Int64, toSample index: Int, column: Int) {
    materialize(column)
    for c in 0..<width where scales[c]?.source == column { materialize(c) }
    storedColumns[column].set(index, storedColumns[column][index] &+ delta)
  }

  /// Value `column` of sample `index`.
  @inlinable public func value(_ index: Int, _ column: Int) -> Int64 {
    if let scale = scales[column] { return storedColumns[scale.source][index] &* scale.factor }
    return storedColumns[column][index]
  }

  /// Value column `c` as a stored column (a scaled column is built; others are returned as held).
  public func column(_ c: Int) -> PackedIntColumn {
    guard let scale = scales[c] else { return storedColumns[c] }
    let source = storedColumns[scale.source]
    return PackedIntColumn(count: count) { source[$0] &* scale.factor }
  }

  /// Calls `body` with every value of column `c` in order.
  @inlinable public func forEachValue(column c: Int, _ body: (Int64) throws -> Void) rethrows {
    if let scale = scales[c] {
      try storedColumns[scale.source].forEach { try body($0 &* scale.factor) }
    } else {
      try storedColumns[c].forEach(body)
    }
  }

  // MARK: Compaction

  /// Finds value columns that are another column times one factor (and stores them no more),
  /// re-stores every column as narrowly as it allows and frees spare room: for a table that is
  /// finished (loaded); later changes still read and write exact values.
  public mutating func compact() {
    stacks.compact()
    labelSets.compact()
    for c in 0..<width where scales[c] == nil { storedColumns[c].compact() }
    // The widest columns first, each from a narrower (or equal) one; a column that others are
    // built from keeps its values.
    let widestFirst = (0..<width).sorted { storedColumns[$0].storedBytes > storedColumns[$1].storedBytes }
    for c in widestFirst where scales[c] == nil && storedColumns[c].storedBytes > 0 {
      guard !scales.contains(where: { $0?.source == c }) else { continue }
      for s in 0..<width
      where s != c && scales[s] == nil && storedColumns[s].storedBytes <= storedColumns[c].storedBytes {
        guard let factor = Self.factor(storedColumns[c], over: storedColumns[s]) else { continue }
        scales[c] = ColumnScale(source: s, factor: factor)
        storedColumns[c] = PackedIntColumn()
        break
      }
    }
  }

  /// The one factor with `target[i] == source[i] * factor` for every `i` (no overflow), or nil.
  static func factor(_ target: PackedIntColumn, over source: PackedIntColumn) -> Int64? {
    guard target.count == source.count, let k = source.firstIndex(where: { $0 != 0 }) else { return nil }
    let (factor, overflow) = target[k].dividedReportingOverflow(by: source[k])
    let remainder = target[k].remainderReportingOverflow(dividingBy: source[k])
    guard !overflow, !remainder.overflow, remainder.partialValue == 0 else { return nil }
    var i = 0
    var exact = true
    source.forEach { v in
      guard exact else { return }
      let (product, overflow) = v.multipliedReportingOverflow(by: factor)
      if overflow || product != target[i] { exact = false }
      i &+= 1
    }
    return exact ? factor : nil
  }

  /// Stores column `c` again if it has a scale, so it can change on its own.
  mutating func materialize(_ c: Int) {
    guard scales[c] != nil else { return }
    storedColumns[c] = column(c)
    scales[c] = nil
  }

  mutating func materializeScaledColumns() {
    for c in 0..<width where scales[c] != nil { materialize(c) }
  }

  /// All values of sample `index`, one per sample type (a view: nothing is copied).
  @inlinable public func values(of index: Int) -> Row { Row(table: self, index: index) }

  /// Every value, sample after sample: element `i * width + c` is value `c` of sample `i`
  /// (a view over the columns, for code that reads the values as one flat sequence).
  @inlinable public var values: FlatValues { FlatValues(table: self) }

  /// Calls `body` with each sample's stack and value `column`, in order, reading each column's
  /// storage once rather than per sample (the loop analysis runs over every sample).
  @inlinable public func forEach(column: Int, _ body: (StackID, Int64) throws -> Void) rethrows {
    var i = 0
    if let scale = scales[column] {
      let values = storedColumns[scale.source]
      try stacks.forEach { stack in
        try body(stack, values[i] &* scale.factor)
        i &+= 1
      }
      return
    }
    let values = storedColumns[column]
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
    @inlinable public subscript(column: Int) -> Int64 { table.value(index, column) }
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
      return table.value(sample, column)
    }
  }
}

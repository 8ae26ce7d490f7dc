/// The samples of a profile, stored by column.
///
/// Sample `i` has stack `stacks[i]`, label set `labelSets[i]` and the values
/// `values[i * width ..< (i + 1) * width]`, one per sample type.
public struct SampleTable: Sendable {
  /// Number of values per sample (the number of sample types).
  public let width: Int
  public private(set) var stacks: [StackID] = []
  public private(set) var labelSets: [LabelSetID] = []
  public private(set) var values: [Int64] = []

  public init(width: Int) { self.width = width }

  @inlinable public var count: Int { stacks.count }

  public mutating func reserveCapacity(_ n: Int) {
    stacks.reserveCapacity(n)
    labelSets.reserveCapacity(n)
    values.reserveCapacity(n * width)
  }

  /// Appends a sample; `values.count` must equal `width`.
  public mutating func append(stack: StackID, values sampleValues: some Collection<Int64>, labels: LabelSetID = .none) {
    precondition(sampleValues.count == width, "sample has \(sampleValues.count) values for \(width) types")
    stacks.append(stack)
    labelSets.append(labels)
    values.append(contentsOf: sampleValues)
  }

  /// Adds `delta` to value column `column` of sample `index`.
  public mutating func add(_ delta: Int64, toSample index: Int, column: Int) {
    values[index * width + column] &+= delta
  }

  /// Value `column` of sample `index`.
  @inlinable public func value(_ index: Int, _ column: Int) -> Int64 { values[index * width + column] }

  /// All values of sample `index`.
  @inlinable public func values(of index: Int) -> ArraySlice<Int64> {
    values[index * width..<(index + 1) * width]
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

/// A profile's locations, stored by column.
///
/// A `[Location]` held one heap array of lines per location (a big profile's 60 000 locations
/// cost about 100 bytes each); here every field is a `PackedIntColumn` and the lines of all
/// locations sit back to back in three flat columns (function, line, column), location `i`'s
/// at `lineStart[i] ..< lineStart[i] + lineCount[i]`. Reading location `i` gives a plain
/// `Location` value, and writing one back (`locations[i].lines = …`) stores it again, so call
/// sites read as they did over an array.
///
/// Lines written back that are longer than the location had go to the end of the flat
/// columns; the slots they leave are dropped by `compact()`.
public struct LocationTable: Sendable, RandomAccessCollection, MutableCollection, ExpressibleByArrayLiteral {
  /// Addresses as their bit patterns.
  private var addresses = PackedIntColumn()
  /// 0 for no mapping, `raw + 1` for a mapping id ≥ 0, the raw value itself below 0.
  private var mappings = PackedIntColumn()
  /// 1 for a folded location, else 0.
  private var folded = PackedIntColumn()
  private var lineStarts = PackedIntColumn()
  private var lineCounts = PackedIntColumn()
  /// The lines of every location, back to back: `Line.function.raw`, `.line` and `.column`.
  private var lineFunctions = PackedIntColumn()
  private var lineNumbers = PackedIntColumn()
  private var lineColumns = PackedIntColumn()
  /// Line slots no location points at any more (left by lines written back longer).
  private var deadLines = 0

  public init() {}

  public init<S: Sequence>(_ locations: S) where S.Element == Location {
    self.init()
    reserveCapacity(locations.underestimatedCount)
    for l in locations { append(l) }
  }

  public init(arrayLiteral locations: Location...) { self.init(locations) }

  @inlinable public var startIndex: Int { 0 }
  public var endIndex: Int { addresses.count }
  public var count: Int { addresses.count }

  /// Location `i`, as a value (writing one back stores every field).
  public subscript(i: Int) -> Location {
    get {
      checkIndex(i)
      return Location(address: address(i), mapping: mapping(i), lines: Array(lines(i)), isFolded: isFolded(i))
    }
    set { replace(i, with: newValue) }
  }

  // MARK: Fields without building a `Location`

  public func address(_ i: Int) -> UInt64 {
    checkIndex(i)
    return UInt64(bitPattern: addresses[i])
  }

  public func mapping(_ i: Int) -> MappingID? {
    checkIndex(i)
    return Self.decodeMapping(mappings[i])
  }

  public func isFolded(_ i: Int) -> Bool {
    checkIndex(i)
    return folded[i] != 0
  }

  /// How many lines location `i` has (0 before symbolization), without a view of them.
  public func lineCount(_ i: Int) -> Int {
    checkIndex(i)
    return Int(lineCounts[i])
  }

  /// The lines of location `i`, innermost inlined callee first (a view: nothing is copied).
  public func lines(_ i: Int) -> Lines {
    checkIndex(i)
    let start = Int(lineStarts[i])
    let n = Int(lineCounts[i])
    precondition(start >= 0 && n >= 0 && start + n <= lineFunctions.count, "location \(i)'s lines out of range")
    return Lines(table: self, start: start, count: n)
  }

  /// The lines of one location.
  public struct Lines: RandomAccessCollection, Sendable {
    let table: LocationTable
    let start: Int
    public let count: Int
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(j: Int) -> Line {
      precondition(j >= 0 && j < count, "line \(j) of a location with \(count)")
      let k = start + j
      return Line(
        function: FunctionID(Int32(truncatingIfNeeded: table.lineFunctions[k])), line: table.lineNumbers[k],
        column: table.lineColumns[k])
    }
  }

  // MARK: Changes

  public mutating func reserveCapacity(_ n: Int) {
    for c in [\LocationTable.addresses, \.mappings, \.folded, \.lineStarts, \.lineCounts] {
      self[keyPath: c].reserveCapacity(n)
    }
    lineFunctions.reserveCapacity(n)
    lineNumbers.reserveCapacity(n)
    lineColumns.reserveCapacity(n)
  }

  public mutating func append(_ l: Location) {
    addresses.append(Int64(bitPattern: l.address))
    mappings.append(Self.encodeMapping(l.mapping))
    folded.append(l.isFolded ? 1 : 0)
    lineStarts.append(Int64(lineFunctions.count))
    lineCounts.append(Int64(l.lines.count))
    appendLines(l.lines)
  }

  public mutating func append<S: Sequence>(contentsOf locations: S) where S.Element == Location {
    for l in locations { append(l) }
  }

  /// Replaces the lines of location `i`.
  public mutating func setLines(_ i: Int, _ new: [Line]) {
    checkIndex(i)
    let start = Int(lineStarts[i])
    let old = Int(lineCounts[i])
    if new.count == old && lines(i).elementsEqual(new) { return }
    if new.count <= old {
      for (j, line) in new.enumerated() {
        lineFunctions.set(start + j, Int64(line.function.raw))
        lineNumbers.set(start + j, line.line)
        lineColumns.set(start + j, line.column)
      }
      deadLines += old - new.count
    } else {
      lineStarts.set(i, Int64(lineFunctions.count))
      appendLines(new)
      deadLines += old
    }
    lineCounts.set(i, Int64(new.count))
  }

  /// Stores `l` as location `i`.
  public mutating func replace(_ i: Int, with l: Location) {
    checkIndex(i)
    addresses.set(i, Int64(bitPattern: l.address))
    mappings.set(i, Self.encodeMapping(l.mapping))
    folded.set(i, l.isFolded ? 1 : 0)
    setLines(i, l.lines)
  }

  /// Drops line slots no location uses and re-stores every column as narrowly as its values
  /// allow, with no spare room (a finished profile's locations change rarely).
  public mutating func compact() {
    if deadLines > 0 {
      let old = self
      let total = old.lineFunctions.count - old.deadLines
      var f: [Int64] = []
      var n: [Int64] = []
      var c: [Int64] = []
      f.reserveCapacity(total)
      n.reserveCapacity(total)
      c.reserveCapacity(total)
      var starts: [Int64] = []
      starts.reserveCapacity(old.count)
      for i in 0..<old.count {
        starts.append(Int64(f.count))
        let start = Int(old.lineStarts[i])
        for k in start..<(start + Int(old.lineCounts[i])) {
          f.append(old.lineFunctions[k])
          n.append(old.lineNumbers[k])
          c.append(old.lineColumns[k])
        }
      }
      addresses = old.addresses
      mappings = old.mappings
      folded = old.folded
      lineCounts = old.lineCounts
      lineStarts = PackedIntColumn(starts)
      lineFunctions = PackedIntColumn(f)
      lineNumbers = PackedIntColumn(n)
      lineColumns = PackedIntColumn(c)
      deadLines = 0
    }
    for c in [
      \LocationTable.addresses, \.mappings, \.folded, \.lineStarts, \.lineCounts, \.lineFunctions, \.lineNumbers,
      \.lineColumns,
    ] {
      self[keyPath: c].compact()
    }
  }

  /// Bytes the columns hold (their buffers' capacity).
  public var heldBytes: Int {
    [addresses, mappings, folded, lineStarts, lineCounts, lineFunctions, lineNumbers, lineColumns].reduce(0) {
      $0 + $1.capacityBytes
    }
  }

  /// Line slots in the flat columns, used or not (for tests of `compact`).
  public var storedLineCount: Int { lineFunctions.count }

  // MARK: Private

  private mutating func appendLines(_ lines: [Line]) {
    for line in lines {
      lineFunctions.append(Int64(line.function.raw))
      lineNumbers.append(line.line)
      lineColumns.append(line.column)
    }
  }

  private func checkIndex(_ i: Int) {
    precondition(i >= 0 && i < count, "location \(i) out of range of \(count)")
  }

  private static func encodeMapping(_ m: MappingID?) -> Int64 {
    guard let m else { return 0 }
    return m.raw >= 0 ? Int64(m.raw) + 1 : Int64(m.raw)
  }

  private static func decodeMapping(_ v: Int64) -> MappingID? {
    if v == 0 { return nil }
    return MappingID(Int32(truncatingIfNeeded: v > 0 ? v - 1 : v))
  }
}

extension LocationTable: Equatable {
  /// Equal when the locations are, however their lines are laid out.
  public static func == (a: LocationTable, b: LocationTable) -> Bool { a.elementsEqual(b) }
}

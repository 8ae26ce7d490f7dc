/// What one column of sample values measures, e.g. `samples/count` or `cpu/nanoseconds`.
public struct ValueType: Hashable, Sendable, CustomStringConvertible {
  public var type: String
  public var unit: String
  public init(type: String, unit: String) {
    self.type = type
    self.unit = unit
  }
  public var description: String { "\(type)/\(unit)" }
}

/// A function: its human-readable name, its raw (mangled) name, source file and first line.
public struct Function: Hashable, Sendable {
  public var name: StringID
  public var systemName: StringID
  public var filename: StringID
  public var startLine: Int64
  public init(name: StringID, systemName: StringID, filename: StringID, startLine: Int64 = 0) {
    self.name = name
    self.systemName = systemName
    self.filename = filename
    self.startLine = startLine
  }
}

/// One source line of a location; a location has several when functions were inlined.
public struct Line: Hashable, Sendable {
  public var function: FunctionID
  public var line: Int64
  public var column: Int64
  public init(function: FunctionID, line: Int64 = 0, column: Int64 = 0) {
    self.function = function
    self.line = line
    self.column = column
  }
}

/// A code address and what it symbolizes to.
///
/// `lines` is ordered as in pprof: the innermost inlined callee first, the real caller last.
public struct Location: Hashable, Sendable {
  public var address: UInt64
  public var mapping: MappingID?
  public var lines: [Line]
  public var isFolded: Bool
  public init(address: UInt64 = 0, mapping: MappingID? = nil, lines: [Line], isFolded: Bool = false) {
    self.address = address
    self.mapping = mapping
    self.lines = lines
    self.isFolded = isFolded
  }
}

/// A binary mapped into the profiled address space.
public struct Mapping: Hashable, Sendable {
  public var start: UInt64
  public var limit: UInt64
  public var fileOffset: UInt64
  public var filename: StringID
  public var buildID: StringID
  public var hasFunctions: Bool
  public var hasFilenames: Bool
  public var hasLineNumbers: Bool
  public var hasInlineFrames: Bool
  public init(
    start: UInt64, limit: UInt64, fileOffset: UInt64, filename: StringID,
    buildID: StringID = .empty, hasFunctions: Bool = false, hasFilenames: Bool = false,
    hasLineNumbers: Bool = false, hasInlineFrames: Bool = false
  ) {
    self.start = start
    self.limit = limit
    self.fileOffset = fileOffset
    self.filename = filename
    self.buildID = buildID
    self.hasFunctions = hasFunctions
    self.hasFilenames = hasFilenames
    self.hasLineNumbers = hasLineNumbers
    self.hasInlineFrames = hasInlineFrames
  }
}

/// A sample label: a key with either a string or a number (and the number's unit).
public struct Label: Hashable, Sendable {
  public var key: StringID
  public var string: StringID
  public var number: Int64
  public var numberUnit: StringID
  public init(key: StringID, string: StringID = .empty, number: Int64 = 0, numberUnit: StringID = .empty) {
    self.key = key
    self.string = string
    self.number = number
    self.numberUnit = numberUnit
  }
}

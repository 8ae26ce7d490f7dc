/// pprof messages as they appear on the wire, before ids and string indices are resolved.
///
/// Field numbers follow profile.proto (package perftools.profiles).

/// A `ValueType`: string indices of its type and unit.
struct RawValueType {
  var type: Int64 = 0
  var unit: Int64 = 0

  static func decode(_ r: ProtoReader) throws(FormatError) -> RawValueType {
    var r = r
    var v = RawValueType()
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: v.type = try r.int64(field, wire, in: "ValueType")
      case 2: v.unit = try r.int64(field, wire, in: "ValueType")
      default: try r.skip(wire)
      }
    }
    return v
  }
}

/// A `Mapping` message.
struct RawMapping {
  var id: UInt64 = 0
  var start: UInt64 = 0
  var limit: UInt64 = 0
  var offset: UInt64 = 0
  var filename: Int64 = 0
  var buildID: Int64 = 0
  var hasFunctions = false
  var hasFilenames = false
  var hasLineNumbers = false
  var hasInlineFrames = false

  static func decode(_ r: ProtoReader) throws(FormatError) -> RawMapping {
    var r = r
    var m = RawMapping()
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: m.id = try r.uint64(field, wire, in: "Mapping")
      case 2: m.start = try r.uint64(field, wire, in: "Mapping")
      case 3: m.limit = try r.uint64(field, wire, in: "Mapping")
      case 4: m.offset = try r.uint64(field, wire, in: "Mapping")
      case 5: m.filename = try r.int64(field, wire, in: "Mapping")
      case 6: m.buildID = try r.int64(field, wire, in: "Mapping")
      case 7: m.hasFunctions = try r.uint64(field, wire, in: "Mapping") != 0
      case 8: m.hasFilenames = try r.uint64(field, wire, in: "Mapping") != 0
      case 9: m.hasLineNumbers = try r.uint64(field, wire, in: "Mapping") != 0
      case 10: m.hasInlineFrames = try r.uint64(field, wire, in: "Mapping") != 0
      default: try r.skip(wire)
      }
    }
    return m
  }
}

/// A `Function` message.
struct RawFunction {
  var id: UInt64 = 0
  var name: Int64 = 0
  var systemName: Int64 = 0
  var filename: Int64 = 0
  var startLine: Int64 = 0

  static func decode(_ r: ProtoReader) throws(FormatError) -> RawFunction {
    var r = r
    var f = RawFunction()
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: f.id = try r.uint64(field, wire, in: "Function")
      case 2: f.name = try r.int64(field, wire, in: "Function")
      case 3: f.systemName = try r.int64(field, wire, in: "Function")
      case 4: f.filename = try r.int64(field, wire, in: "Function")
      case 5: f.startLine = try r.int64(field, wire, in: "Function")
      default: try r.skip(wire)
      }
    }
    return f
  }
}

/// A `Line` message inside a location.
struct RawLine {
  var functionID: UInt64 = 0
  var line: Int64 = 0
  var column: Int64 = 0
}

/// A `Location` message; its lines keep their order (innermost inlined callee first).
struct RawLocation {
  /// Most lines a location may have; more is treated as corrupt data.
  static let maxLines = 1 << 16

  var id: UInt64 = 0
  var mappingID: UInt64 = 0
  var address: UInt64 = 0
  var lines: [RawLine] = []
  var isFolded = false

  static func decode(_ r: ProtoReader) throws(FormatError) -> RawLocation {
    var r = r
    var l = RawLocation()
    while !r.isAtEnd {
      let at = r.position
      let (field, wire) = try r.readTag()
      switch field {
      case 1: l.id = try r.uint64(field, wire, in: "Location")
      case 2: l.mappingID = try r.uint64(field, wire, in: "Location")
      case 3: l.address = try r.uint64(field, wire, in: "Location")
      case 4:
        guard wire == .lengthDelimited else { throw r.mismatch(field, wire, in: "Location") }
        guard l.lines.count < maxLines else {
          throw .corruptPprof(offset: at, reason: "location has more than \(maxLines) lines")
        }
        l.lines.append(try decodeLine(r.reader(for: try r.readLengthDelimited())))
      case 5: l.isFolded = try r.uint64(field, wire, in: "Location") != 0
      default: try r.skip(wire)
      }
    }
    return l
  }

  private static func decodeLine(_ r: ProtoReader) throws(FormatError) -> RawLine {
    var r = r
    var line = RawLine()
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: line.functionID = try r.uint64(field, wire, in: "Line")
      case 2: line.line = try r.int64(field, wire, in: "Line")
      case 3: line.column = try r.int64(field, wire, in: "Line")
      default: try r.skip(wire)
      }
    }
    return line
  }
}

extension ProtoReader {
  /// Reads a varint field, checking its wire type.
  @inline(__always)
  mutating func uint64(_ field: UInt64, _ wire: WireType, in message: String) throws(FormatError) -> UInt64 {
    guard wire == .varint else { throw mismatch(field, wire, in: message) }
    return try readVarint()
  }

  /// Reads an int64 varint field (two's complement), checking its wire type.
  @inline(__always)
  mutating func int64(_ field: UInt64, _ wire: WireType, in message: String) throws(FormatError) -> Int64 {
    Int64(bitPattern: try uint64(field, wire, in: message))
  }
}

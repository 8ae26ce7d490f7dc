/// What one report row (a graph node) stands for: a function, a file, a line or an address,
/// depending on the granularity; fields the granularity drops are empty or zero.
public struct NodeInfo: Hashable, Sendable {
  /// Function name ("" at file granularity or for an unsymbolized address).
  public var name: String
  /// Raw (e.g. mangled) function name.
  public var systemName: String
  /// Source file ("" at function granularity).
  public var file: String
  /// Source line (0 unless granularity is lines or addresses).
  public var line: Int64
  /// The function's first line, when known.
  public var startLine: Int64
  /// Code address (0 unless granularity is addresses or the frame has no symbol).
  public var address: UInt64
  /// Base name of the mapping's file, shown only for frames without a function.
  public var objectFile: String

  /// A node description; unset fields stay empty.
  public init(
    name: String = "", systemName: String = "", file: String = "", line: Int64 = 0,
    startLine: Int64 = 0, address: UInt64 = 0, objectFile: String = ""
  ) {
    self.name = name
    self.systemName = systemName
    self.file = file
    self.line = line
    self.startLine = startLine
    self.address = address
    self.objectFile = objectFile
  }

  /// The name pprof prints for a node (`NodeInfo.PrintableName`): address, function, then
  /// `file:line`, the file, `[object]` or `<unknown>`.
  public var printableName: String {
    var parts: [String] = []
    if address != 0 { parts.append(hex16(address)) }
    if !name.isEmpty { parts.append(name) }
    if line != 0 {
      parts.append("\(file):\(line)")
    } else if !file.isEmpty {
      parts.append(file)
    } else if !name.isEmpty {
      // The function name is already there.
    } else if !objectFile.isEmpty {
      parts.append("[\(objectFile)]")
    } else {
      parts.append("<unknown>")
    }
    return parts.joined(separator: " ")
  }
}

/// `%016x` without Foundation.
func hex16(_ v: UInt64) -> String {
  let digits = String(v, radix: 16)
  return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}

/// Whether a node is reached through inlined calls, as pprof marks rows `(inline)`.
public enum InlineKind: Sendable, Equatable {
  /// Every call into the node is a real call (or it has no callers).
  case notInlined
  /// Every call into the node was inlined into its caller.
  case inlined
  /// Some calls into the node were inlined, some were not.
  case partiallyInlined

  /// The kind for a node with some inlined calls into it and / or some real ones.
  init(inlinedCall: Bool, realCall: Bool) {
    switch (inlinedCall, realCall) {
    case (true, true): self = .partiallyInlined
    case (true, false): self = .inlined
    default: self = .notInlined
    }
  }

  /// pprof's suffix for the name column: "", " (inline)" or " (partial-inline)".
  public var suffix: String {
    switch self {
    case .notInlined: return ""
    case .inlined: return " (inline)"
    case .partiallyInlined: return " (partial-inline)"
    }
  }
}

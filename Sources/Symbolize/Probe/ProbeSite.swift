/// Where to put a uprobe for one function: the file, the offset of its first instruction
/// in that file (computed through the PT_LOAD segment holding it) and its size.
public struct ProbeSite: Sendable, Equatable, Hashable {
  /// Absolute path of the ELF file (the executable or a shared library).
  public var path: String
  /// File offset of the function's entry, what `config2` of a uprobe takes.
  public var fileOffset: UInt64
  /// Link-time address of the entry (for messages and tests).
  public var address: UInt64
  /// Symbol size in bytes (0 when the symbol table does not say).
  public var size: UInt64
  /// Demangled name, what patterns match and reports show.
  public var name: String
  /// The symbol's raw (mangled) name.
  public var rawName: String
  /// True when the file is a Go binary: only entry probes are safe there.
  public var isGo: Bool
  /// Where in the function the probes go (set by `ProbeSiteResolver.resolve`; the entry until then).
  public var placement: ProbePlacement?
  /// For Go functions: the entry after the stack check, every `RET` and tail jump (set by
  /// `ProbeSiteResolver.placed`; nil when the code could not be decoded: entry probe only).
  public var go: GoProbePlacement?

  /// Creates a value from its parts.
  public init(
    path: String, fileOffset: UInt64, address: UInt64, size: UInt64, name: String, rawName: String, isGo: Bool,
    placement: ProbePlacement? = nil
  ) {
    self.path = path
    self.fileOffset = fileOffset
    self.address = address
    self.size = size
    self.name = name
    self.rawName = rawName
    self.isGo = isGo
    self.placement = placement
  }

  /// The file offset the probes are placed at: the entry, moved by the placement.
  public var probeFileOffset: UInt64 { fileOffset &+ (placement?.offset ?? 0) }
}

/// A `--trace` pattern split into its optional library and its regular expression.
public struct TracePattern: Sendable, Equatable {
  /// The library named before the colon (`libc.so.6`, `libc`, or a path); nil for the executable.
  public var library: String?
  /// The regular expression over demangled names.
  public var expression: String

  /// Splits `text`: `LIB:REGEX` when the part before the first colon names a library (it
  /// contains `.so` or a slash and no regex characters), else all of it is the regex, so
  /// C++ names such as `^ns::f$` stay whole.
  public init(_ text: String) {
    if let colon = text.firstIndex(of: ":") {
      let head = text[..<colon]
      let rest = text[text.index(after: colon)...]
      let looksLikeLibrary =
        (head.contains(".so") || head.contains("/")) && !rest.hasPrefix(":")
        && !head.contains(where: { "^$*+?()[]{}|\\".contains($0) })
      if looksLikeLibrary {
        library = String(head)
        expression = String(rest)
        return
      }
    }
    library = nil
    expression = text
  }
}

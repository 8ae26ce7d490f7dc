import ProfileModel

/// pprof's `list REGEX`: for each function whose name matches, flat and cum per source line
/// around the lines that have samples.
public struct SourceListing: Sendable {
  /// One source line of a routine.
  public struct LineRow: Sendable, Equatable {
    /// Line number in the file.
    public var number: Int64
    /// Value of samples whose leaf is this line (or routine).
    public var flat: Int64
    /// Value of samples through this line (or routine), once per sample.
    public var cum: Int64
    /// The line's text; nil when the file could not be read.
    public var text: String?

    /// A row with its values and text.
    public init(number: Int64, flat: Int64, cum: Int64, text: String?) {
      self.number = number
      self.flat = flat
      self.cum = cum
      self.text = text
    }
  }

  /// One function in one source file (pprof's `ROUTINE ======================== name in file`).
  public struct Routine: Sendable, Equatable {
    /// The function's name.
    public var function: String
    /// Source file; nil when the profile has no file for the function (pprof's
    /// `No source information for NAME`).
    public var file: String?
    /// Value of samples whose leaf is this line (or routine).
    public var flat: Int64
    /// Value of samples through this line (or routine), once per sample.
    public var cum: Int64
    /// False when `source(file)` returned nil: rows then carry only lines with samples.
    public var sourceAvailable: Bool
    /// The rows shown, in line order.
    public var lines: [LineRow]
    /// First and last line shown.
    public var firstLine: Int64 { lines.first?.number ?? 0 }
    /// Last line shown.
    public var lastLine: Int64 { lines.last?.number ?? 0 }
  }

  /// Routines sorted by function name, then file.
  public var routines: [Routine]
  /// pprof's total (all samples, before filters).
  public var total: Int64
  /// What the values measure.
  public var valueType: ValueType

  /// Lines shown before the first and after the last line with samples (pprof's margin).
  public static let margin: Int64 = 5

  /// Builds the listing; `source(file)` gives a file's lines (nil when it is not available).
  /// Each file is asked for once. Throws `noMatches` when no function matches.
  public init(
    profile: Profile, matching pattern: NameMatcher, options: GraphOptions = GraphOptions(),
    source: (String) -> [String]?
  ) throws(AnalysisError) {
    var lineOptions = options
    lineOptions.granularity = .lines
    let graph = try CallGraph(profile: profile, options: lineOptions, withEdges: false, separateObjects: true)
    try self.init(graph: graph, matching: pattern, source: source)
  }

  /// Builds the listing from a graph computed at line granularity; throws `noMatches` when
  /// no function matches.
  public init(graph: CallGraph, matching pattern: NameMatcher, source: (String) -> [String]?) throws(AnalysisError) {
    try self.init(
      graph: graph, selecting: { pattern.matches($0.info.name) }, described: pattern.pattern, source: source)
  }

  /// The listing of the functions in `functions` (by identity, e.g. a heatmap row's);
  /// throws `noMatches` (naming `name`) when none has samples.
  public init(
    profile: Profile, functions: [FunctionID], named name: String, options: GraphOptions = GraphOptions(),
    source: (String) -> [String]?
  ) throws(AnalysisError) {
    var lineOptions = options
    lineOptions.granularity = .lines
    let graph = try CallGraph(profile: profile, options: lineOptions, withEdges: false, separateObjects: true)
    let wanted = Set(functions)
    try self.init(
      graph: graph, selecting: { $0.functions.contains(where: wanted.contains) }, described: name, source: source)
  }

  /// The listing of the nodes `selected` picks, grouped by function name.
  init(
    graph: CallGraph, selecting selected: (GraphNode) -> Bool, described: String, source: (String) -> [String]?
  ) throws(AnalysisError) {
    var byFunction: [String: [GraphNode]] = [:]
    for node in graph.nodes where selected(node) {
      byFunction[node.info.name, default: []].append(node)
    }
    if byFunction.isEmpty { throw .noMatches(pattern: described) }
    var cache: [String: [String]?] = [:]
    func text(of file: String) -> [String]? {
      if let hit = cache[file] { return hit }
      let lines = source(file)
      cache[file] = lines
      return lines
    }
    var routines: [Routine] = []
    for name in byFunction.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      let nodes = byFunction[name] ?? []
      var byFile: [String: [GraphNode]] = [:]
      for n in nodes where !n.info.file.isEmpty { byFile[n.info.file, default: []].append(n) }
      if byFile.isEmpty {
        let flat = nodes.reduce(0) { $0 &+ $1.flat }
        let cum = nodes.reduce(0) { $0 &+ $1.cum }
        routines.append(Routine(function: name, file: nil, flat: flat, cum: cum, sourceAvailable: false, lines: []))
        continue
      }
      let files = byFile.keys.sorted { a, b in
        let sa = byFile[a]?.map(\.info.startLine).min() ?? 0
        let sb = byFile[b]?.map(\.info.startLine).min() ?? 0
        if a != b { return a.utf8.lexicographicallyPrecedes(b.utf8) }
        return sa < sb
      }
      for file in files {
        let fileNodes = (byFile[file] ?? []).sorted { $0.info.line < $1.info.line }
        routines.append(Self.routine(name: name, file: file, nodes: fileNodes, text: text(of: file)))
      }
    }
    self.routines = routines
    total = graph.total
    valueType = graph.valueType
  }

  /// One routine: pprof's `getSourceFromFile` line range, values summed per line.
  static func routine(name: String, file: String, nodes: [GraphNode], text: [String]?) -> Routine {
    var perLine: [Int64: (flat: Int64, cum: Int64)] = [:]
    var flat: Int64 = 0
    var cum: Int64 = 0
    for n in nodes {
      perLine[n.info.line, default: (0, 0)].flat &+= n.flat
      perLine[n.info.line, default: (0, 0)].cum &+= n.cum
      flat &+= n.flat
      cum &+= n.cum
    }
    guard let firstNode = nodes.first else {
      return Routine(function: name, file: file, flat: 0, cum: 0, sourceAvailable: text != nil, lines: [])
    }
    // Line numbers come from input files and may sit at the ends of Int64: the margin
    // arithmetic saturates instead of trapping.
    var start = firstNode.info.startLine != 0 ? firstNode.info.startLine : firstNode.info.line.addingSaturating(-margin)
    var end = firstNode.info.line.addingSaturating(margin)
    for n in nodes {
      let nodeStart = n.info.startLine != 0 ? n.info.startLine : n.info.line.addingSaturating(-margin)
      let nodeEnd = n.info.line.addingSaturating(margin)
      if nodeStart < start { start = nodeStart } else if nodeEnd > end { end = nodeEnd }
    }
    start = max(1, start)
    var rows: [LineRow] = []
    if let text {
      var number = start
      let last = min(end, Int64(text.count))
      while number <= last {
        let v = perLine[number] ?? (0, 0)
        rows.append(LineRow(number: number, flat: v.flat, cum: v.cum, text: text[Int(number - 1)]))
        number += 1
      }
    } else {
      for number in perLine.keys.sorted() {
        let v = perLine[number] ?? (0, 0)
        rows.append(LineRow(number: number, flat: v.flat, cum: v.cum, text: nil))
      }
    }
    return Routine(function: name, file: file, flat: flat, cum: cum, sourceAvailable: text != nil, lines: rows)
  }
}

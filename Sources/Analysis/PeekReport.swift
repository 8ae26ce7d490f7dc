import ProfileModel

/// pprof's `peek REGEX`: every matching node with its callers and callees, untrimmed.
public struct PeekReport: Sendable {
  /// A caller or callee of an entry and the value that flows over that call.
  public struct Link: Sendable, Equatable {
    /// The caller or callee.
    public var info: NodeInfo
    /// Value of the samples that make this call.
    public var weight: Int64
    /// The call was inlined (pprof prints ` (inline)`).
    public var isInline: Bool
  }

  /// One matching node.
  public struct Entry: Sendable, Equatable {
    /// The matching node with its flat and cum.
    public var node: GraphNode
    /// Callers, heaviest first.
    public var callers: [Link]
    /// Callees, heaviest first.
    public var callees: [Link]
  }

  /// Matching nodes in report order (by flat, or cum).
  public var entries: [Entry]
  /// pprof's total (all samples, before filters).
  public var total: Int64
  /// Sum of flat over every node of the graph (`Showing nodes accounting for X`).
  public var graphFlat: Int64
  /// What the values measure.
  public var valueType: ValueType
  /// The filters applied.
  public var filter: ProfileFilter
  /// Number of nodes in the graph (matching or not).
  public var graphNodeCount: Int
  /// (flat, cum) of every graph node: pprof picks the report's unit from them.
  public var nodeValues: [(flat: Int64, cum: Int64)]

  /// Builds the report; nodes are matched on their printable name, as pprof does. Throws
  /// `noMatches` when no node matches.
  public init(
    profile: Profile, matching pattern: NameMatcher, options: GraphOptions = GraphOptions(), sortByCum: Bool = false
  ) throws(AnalysisError) {
    let graph = try CallGraph(profile: profile, options: options, withEdges: true)
    try self.init(graph: graph, matching: pattern, sortByCum: sortByCum)
  }

  /// Builds the report from a graph that has edges; throws `noMatches` when no node matches.
  public init(graph: CallGraph, matching pattern: NameMatcher, sortByCum: Bool = false) throws(AnalysisError) {
    try self.init(graph: graph, selecting: { pattern.matches($1) }, described: pattern.pattern, sortByCum: sortByCum)
  }

  /// The report of the nodes that stand for any of `functions` (by identity, e.g. a heatmap
  /// row's); without functions (an unsymbolized row) the node printed exactly as `name`.
  /// Throws `noMatches` (naming `name`) when none does.
  public init(
    profile: Profile, functions: [FunctionID], named name: String, options: GraphOptions = GraphOptions()
  ) throws(AnalysisError) {
    let graph = try CallGraph(profile: profile, options: options, withEdges: true)
    let wanted = Set(functions)
    try self.init(
      graph: graph,
      selecting: { i, printable in
        wanted.isEmpty ? printable == name : graph.nodes[i].functions.contains(where: wanted.contains)
      },
      described: name,
      sortByCum: false)
  }

  /// The report of the nodes `selected(index, printable name)` picks.
  init(
    graph: CallGraph, selecting selected: (Int, String) -> Bool, described: String, sortByCum: Bool
  ) throws(AnalysisError) {
    let names = graph.nodes.map(\.info.printableName)
    var incoming = [[Int]](repeating: [], count: graph.nodes.count)
    var outgoing = [[Int]](repeating: [], count: graph.nodes.count)
    for (i, e) in graph.edges.enumerated() {
      incoming[e.callee].append(i)
      outgoing[e.caller].append(i)
    }
    func links(_ edgeIDs: [Int], far: (GraphEdge) -> Int) -> [Link] {
      let sorted = edgeIDs.sorted { a, b in
        let ea = graph.edges[a]
        let eb = graph.edges[b]
        return NodeOrder.edgeLess(
          (ea.weight, names[ea.caller], names[ea.callee]), (eb.weight, names[eb.caller], names[eb.callee]))
      }
      return sorted.map { id in
        let e = graph.edges[id]
        return Link(info: graph.nodes[far(e)].info, weight: e.weight, isInline: e.isInline)
      }
    }
    var entries: [Entry] = []
    for i in NodeOrder.sorted(graph.nodes, names: names, byCum: sortByCum) where selected(i, names[i]) {
      entries.append(
        Entry(
          node: graph.nodes[i],
          callers: links(incoming[i], far: \.caller),
          callees: links(outgoing[i], far: \.callee)))
    }
    if entries.isEmpty { throw .noMatches(pattern: described) }
    self.entries = entries
    total = graph.total
    graphFlat = graph.flatSum
    graphNodeCount = graph.nodes.count
    nodeValues = graph.nodes.map { ($0.flat, $0.cum) }
    valueType = graph.valueType
    filter = graph.filter
  }
}

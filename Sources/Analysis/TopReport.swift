import ProfileModel

/// Options of `top`, with pprof's defaults for its interactive mode.
public struct TopOptions: Sendable {
  /// Value column, granularity and filters.
  public var graph: GraphOptions
  /// Rows to show; nil shows every row (pprof's nodecount, 10 in its shell).
  public var nodeCount: Int?
  /// Sort by cum instead of flat (`--cum`).
  public var sortByCum: Bool
  /// Rows whose cum is below this share of the total are dropped (pprof's nodefraction).
  public var nodeFraction: Double
  /// Calls below this share of the total do not count for the `(inline)` marks (pprof's
  /// edgefraction).
  public var edgeFraction: Double

  /// Options; the defaults are pprof's interactive `top`.
  public init(
    graph: GraphOptions = GraphOptions(), nodeCount: Int? = 10, sortByCum: Bool = false,
    nodeFraction: Double = 0.005, edgeFraction: Double = 0.001
  ) {
    self.graph = graph
    self.nodeCount = nodeCount
    self.sortByCum = sortByCum
    self.nodeFraction = nodeFraction
    self.edgeFraction = edgeFraction
  }
}

/// pprof's `top` report: the heaviest nodes by flat (or cum), with what was left out.
public struct TopReport: Sendable {
  /// The rows shown, in order.
  public var rows: [GraphNode]
  /// pprof's total (all samples, before filters): the base of every percentage.
  public var total: Int64
  /// Nodes dropped because their cum was below the node fraction cutoff.
  public var droppedNodes: Int
  /// The cutoff pprof prints in `Dropped N nodes (cum <= X)`: total × nodeFraction.
  public var dropThreshold: Int64
  /// Nodes left after the cutoff, before the row limit (`… out of M`).
  public var nodesAfterDrop: Int
  /// What the values measure.
  public var valueType: ValueType
  /// Rows are sorted by cum rather than flat.
  public var sortByCum: Bool
  /// The filters applied.
  public var filter: ProfileFilter
  /// What one row stands for.
  public var granularity: Granularity

  /// Sum of flat over the rows shown (`Showing nodes accounting for X`).
  public var shownFlat: Int64 { rows.reduce(0) { $0 &+ $1.flat } }

  /// Builds the report from a profile.
  public init(profile: Profile, options: TopOptions = TopOptions()) throws(AnalysisError) {
    let graph = try CallGraph(profile: profile, options: options.graph, withEdges: false)
    self.init(graph: graph, options: options)
  }

  /// Builds the report from an already computed graph.
  public init(graph: CallGraph, options: TopOptions = TopOptions()) {
    let nodes = graph.nodes
    // pprof: cutoff from the filtered graph's flat sum; kept when |cum| >= cutoff.
    let cutoff = abs(Int64(clampingRounded: Double(graph.flatSum) * options.nodeFraction, .towardZero))
    var kept = Array(nodes.indices)
    if cutoff > 0 { kept = kept.filter { abs(nodes[$0].cum) >= cutoff } }
    let keptNodes = kept.map { nodes[$0] }
    let order = NodeOrder.sorted(keptNodes, names: keptNodes.map(\.info.printableName), byCum: options.sortByCum)
    var limit = order.count
    if let n = options.nodeCount, n > 0 { limit = min(n, order.count) }
    let shown = order.prefix(limit).map { kept[$0] }
    var rows = shown.map { nodes[$0] }
    // pprof marks (inline) from the edges among the rows it keeps, light edges left out.
    let edgeCutoff = abs(Int64(clampingRounded: Double(graph.flatSum) * options.edgeFraction, .towardZero))
    for (i, kind) in graph.inlineKinds(keeping: shown, edgeCutoff: edgeCutoff).enumerated() { rows[i].inline = kind }
    self.rows = rows
    total = graph.total
    droppedNodes = nodes.count - kept.count
    dropThreshold = abs(Int64(clampingRounded: Double(graph.total) * options.nodeFraction, .towardZero))
    nodesAfterDrop = kept.count
    valueType = graph.valueType
    sortByCum = options.sortByCum
    filter = graph.filter
    granularity = graph.granularity
  }
}

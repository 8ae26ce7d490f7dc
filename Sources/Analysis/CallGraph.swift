import ProfileModel

/// Which sample values a report reads and how it groups and filters frames.
public struct GraphOptions: Sendable {
  /// Value column; nil means `Profile.defaultValueIndex`.
  public var valueIndex: Int?
  /// What one node stands for.
  public var granularity: Granularity
  /// The focus / ignore / hide filters applied.
  public var filter: ProfileFilter

  /// Options with pprof's defaults: default column, functions, no filter.
  public init(valueIndex: Int? = nil, granularity: Granularity = .functions, filter: ProfileFilter = .none) {
    self.valueIndex = valueIndex
    self.granularity = granularity
    self.filter = filter
  }
}

/// One node of the call graph with pprof's flat and cum.
public struct GraphNode: Sendable, Equatable {
  /// What the node stands for.
  public var info: NodeInfo
  /// Value of samples whose innermost visible frame is this node.
  public var flat: Int64
  /// Value of samples with this node anywhere in the stack, counted once per sample.
  public var cum: Int64
  /// Whether calls into this node were inlined (pprof's `(inline)` marker).
  public var inline: InlineKind
  /// The functions the node stands for, sorted (empty at file granularity and for frames
  /// without a function): its identity within the profile; `info` is what is shown.
  public var functions: [FunctionID] = []
}

/// A caller → callee edge, weighted once per sample that makes the call.
public struct GraphEdge: Sendable, Equatable {
  /// Index of the calling node in `CallGraph.nodes`.
  public var caller: Int
  /// Index of the called node in `CallGraph.nodes`.
  public var callee: Int
  /// Value of the samples that make this call.
  public var weight: Int64
  /// True when every such call was inlined into the caller.
  public var isInline: Bool
}

/// pprof's call graph (`internal/graph`): nodes with flat and cum, and weighted edges.
///
/// Built in one pass over the samples (into per-stack weights) and one walk over the distinct
/// stacks. Nodes with neither flat nor cum are left out, as pprof does.
public struct CallGraph: Sendable {
  /// Nodes with a non-zero flat or cum, in no particular order.
  public var nodes: [GraphNode]
  /// Caller → callee edges (empty when built without edges).
  public var edges: [GraphEdge]
  /// Sum of |value| over all samples before filtering: pprof's total, the base of every %.
  public var total: Int64
  /// The value column used and what it measures.
  public var valueIndex: Int
  /// What the values measure, e.g. `cpu/nanoseconds`.
  public var valueType: ValueType
  /// What one node stands for.
  public var granularity: Granularity
  /// The focus / ignore / hide filters applied.
  public var filter: ProfileFilter

  /// Builds the graph; `withEdges: false` skips edge weights (`top` only needs them when
  /// there are inline frames, to mark rows).
  public init(profile: Profile, options: GraphOptions = GraphOptions(), withEdges: Bool = true) throws(AnalysisError) {
    try self.init(profile: profile, options: options, withEdges: withEdges, separateObjects: false)
  }

  /// `separateObjects`: a function's line in two binaries is two nodes (pprof's `list`).
  init(profile: Profile, options: GraphOptions, withEdges: Bool, separateObjects: Bool) throws(AnalysisError) {
    let column = try profile.valueIndex(checked: options.valueIndex)
    let filter = options.filter
    let masks = filter.isActive ? LocationFilterMasks(profile: profile, filter: filter) : nil
    let frames = FrameTable(
      profile: profile, granularity: options.granularity, lineVisible: masks?.lineVisible,
      separateObjects: separateObjects)
    let weights = StackWeights(
      profile: profile, column: column, masks: masks, hasFocus: filter.focus != nil)
    let needEdges = withEdges || frames.hasInlineFrames
    var visitor = GraphVisitor(nodeCount: frames.infos.count, withEdges: needEdges)
    let locations = profile.stacks.locations.map(\.raw)
    walkFramePaths(weights: weights, frames: frames, locations: locations, visitor: &visitor)

    // pprof marks a node (inline) when an edge into it is inline, (partial-inline) when others are not.
    var inlineIn = [Bool](repeating: false, count: frames.infos.count)
    var realIn = inlineIn
    for e in 0..<visitor.edgeWeight.count where visitor.edgeWeight[e] != 0 {
      let callee = Int(visitor.edgeCallee[e])
      if visitor.edgeInline[e] { inlineIn[callee] = true } else { realIn[callee] = true }
    }
    // Keep nodes that carry a value; renumber them densely.
    var newIndex = [Int](repeating: -1, count: frames.infos.count)
    var nodes: [GraphNode] = []
    var frameNode: [Int32] = []
    for i in 0..<frames.infos.count where visitor.flat[i] != 0 || visitor.cum[i] != 0 {
      newIndex[i] = nodes.count
      frameNode.append(Int32(i))
      let kind = InlineKind(inlinedCall: inlineIn[i], realCall: realIn[i])
      var node = GraphNode(info: frames.infos[i], flat: visitor.flat[i], cum: visitor.cum[i], inline: kind)
      node.functions = frames.functions[i]
      nodes.append(node)
    }
    var edges: [GraphEdge] = []
    if withEdges {
      edges.reserveCapacity(visitor.edgeWeight.count)
      for e in 0..<visitor.edgeWeight.count {
        let a = newIndex[Int(visitor.edgeCaller[e])]
        let b = newIndex[Int(visitor.edgeCallee[e])]
        guard a >= 0, b >= 0, visitor.edgeWeight[e] != 0 else { continue }
        edges.append(GraphEdge(caller: a, callee: b, weight: visitor.edgeWeight[e], isInline: visitor.edgeInline[e]))
      }
    }
    self.nodes = nodes
    self.edges = edges
    self.total = weights.total
    self.valueIndex = column
    self.valueType = profile.sampleTypes[column]
    self.granularity = options.granularity
    self.filter = filter
    self.walk =
      frames.hasInlineFrames
      ? WalkInput(frames: frames, weights: weights, locations: locations, frameNode: frameNode) : nil
  }

  /// What a second walk needs (kept only when there are inline frames): pprof decides the
  /// `(inline)` marks of a trimmed report from the edges among the rows it keeps.
  struct WalkInput: Sendable {
    var frames: FrameTable
    var weights: StackWeights
    var locations: [Int32]
    /// Frame-table node of each graph node.
    var frameNode: [Int32]
  }
  var walk: WalkInput?

  /// The inline marks of `kept` nodes when only they are shown, as pprof recomputes them on
  /// its trimmed graph: edges join each kept node to the nearest kept caller, and edges whose
  /// weight is below `edgeCutoff` are dropped before the marks are read.
  ///
  /// Only a node that is some location's inlined frame can be marked; the walk visits just the
  /// stacks that reach such a kept node (with their callers), and none when there is none.
  func inlineKinds(keeping kept: [Int], edgeCutoff: Int64) -> [InlineKind] {
    guard let walk else { return kept.map { nodes[$0].inline } }
    let frames = walk.frames
    var keep = [Bool](repeating: false, count: frames.infos.count)
    for k in kept { keep[Int(walk.frameNode[k])] = true }
    // Kept nodes that are an inlined frame (not a location's outermost line) somewhere.
    var markable = [Bool](repeating: false, count: keep.count)
    let locationCount = frames.start.count - 1
    for loc in 0..<max(0, locationCount) {
      for k in Int(frames.start[loc])..<max(Int(frames.start[loc]), Int(frames.start[loc + 1]) - 1) {
        let node = Int(frames.nodes[k])
        if keep[node] { markable[node] = true }
      }
    }
    guard markable.contains(true) else { return kept.map { _ in .notInlined } }
    var locationMatters = [Bool](repeating: false, count: max(0, locationCount))
    for loc in 0..<max(0, locationCount) {
      for k in Int(frames.start[loc])..<Int(frames.start[loc + 1]) where markable[Int(frames.nodes[k])] {
        locationMatters[loc] = true
      }
    }
    // Stack nodes whose subtree holds a frame of a markable node, callers included.
    let parents = walk.weights.parents
    var only = [Bool](repeating: false, count: parents.count)
    var s = parents.count - 1
    while s >= 1 {
      if locationMatters[Int(walk.locations[s])] { only[s] = true }
      if only[s] { only[Int(parents[s])] = true }
      s -= 1
    }
    var visitor = KeptInlineVisitor(keep: keep)
    walkFramePaths(
      weights: walk.weights, frames: frames, locations: walk.locations, only: only, visitor: &visitor)
    var inlineIn = [Bool](repeating: false, count: keep.count)
    var realIn = inlineIn
    for (key, isInline) in visitor.edgeInline where abs(visitor.edgeWeight[key] ?? 0) >= edgeCutoff {
      let callee = Int(Int32(truncatingIfNeeded: UInt32(key & 0xFFFF_FFFF)))
      if isInline { inlineIn[callee] = true } else { realIn[callee] = true }
    }
    return kept.map { k in
      let f = Int(walk.frameNode[k])
      return InlineKind(inlinedCall: inlineIn[f], realCall: realIn[f])
    }
  }

  /// Sum of flat over all nodes: the value of the samples that survived the filters.
  public var flatSum: Int64 { nodes.reduce(0) { $0 &+ $1.flat } }
}

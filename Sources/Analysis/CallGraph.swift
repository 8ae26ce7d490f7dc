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
    let column: Int
    if let i = options.valueIndex {
      guard profile.sampleTypes.indices.contains(i) else {
        throw .sampleIndexOutOfRange(i, count: profile.sampleTypes.count)
      }
      column = i
    } else {
      column = try profile.valueIndex(for: nil)
    }
    let filter = options.filter
    let masks = filter.isActive ? LocationFilterMasks(profile: profile, filter: filter) : nil
    let frames = FrameTable(profile: profile, granularity: options.granularity, lineVisible: masks?.lineVisible)
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
    for i in 0..<frames.infos.count where visitor.flat[i] != 0 || visitor.cum[i] != 0 {
      newIndex[i] = nodes.count
      let kind: InlineKind
      switch (inlineIn[i], realIn[i]) {
      case (true, true): kind = .partiallyInlined
      case (true, false): kind = .inlined
      default: kind = .notInlined
      }
      nodes.append(GraphNode(info: frames.infos[i], flat: visitor.flat[i], cum: visitor.cum[i], inline: kind))
    }
    var edges: [GraphEdge] = []
    if withEdges {
      edges.reserveCapacity(visitor.edgeWeight.count)
      for e in 0..<visitor.edgeWeight.count {
        let a = newIndex[Int(visitor.edgeCaller[e])], b = newIndex[Int(visitor.edgeCallee[e])]
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
  }

  /// Sum of flat over all nodes: the value of the samples that survived the filters.
  public var flatSum: Int64 { nodes.reduce(0) { $0 &+ $1.flat } }
}

/// Accumulates flat, cum (once per sample) and edges (once per sample) along the walk.
struct GraphVisitor: FramePathVisitor {
  var flat: [Int64]
  var cum: [Int64]
  var onPath: [Int32]
  let withEdges: Bool
  var edgeIndex: [UInt64: Int32] = [:]
  var edgeCaller: [Int32] = []
  var edgeCallee: [Int32] = []
  var edgeWeight: [Int64] = []
  var edgeInline: [Bool] = []

  init(nodeCount: Int, withEdges: Bool) {
    flat = [Int64](repeating: 0, count: nodeCount)
    cum = flat
    onPath = [Int32](repeating: 0, count: nodeCount)
    self.withEdges = withEdges
  }

  mutating func enter(node: Int32, isInline: Bool, subtree: Int64, path: UnsafeBufferPointer<Int32>) {
    let r = Int(node)
    let seen = onPath[r] > 0
    if !seen { cum[r] &+= subtree }
    onPath[r] += 1
    guard withEdges, path.count >= 2 else { return }
    let caller = path[path.count - 2]
    if caller == node { return }
    if seen {
      // Recursion: the same call may already be on this path; count it once per sample.
      var i = 1
      while i < path.count - 1 {
        if path[i] == node && path[i - 1] == caller { return }
        i += 1
      }
    }
    let key = UInt64(UInt32(bitPattern: caller)) << 32 | UInt64(UInt32(bitPattern: node))
    let e: Int
    if let found = edgeIndex[key] {
      e = Int(found)
      if !isInline { edgeInline[e] = false }
    } else {
      e = edgeWeight.count
      edgeIndex[key] = Int32(e)
      edgeCaller.append(caller)
      edgeCallee.append(node)
      edgeWeight.append(0)
      edgeInline.append(isInline)
    }
    edgeWeight[e] &+= subtree
  }

  mutating func end(weight: Int64, path: UnsafeBufferPointer<Int32>) {
    if let leaf = path.last { flat[Int(leaf)] &+= weight }
  }

  mutating func leave(count: Int, path: UnsafeBufferPointer<Int32>) {
    var i = path.count - count
    while i < path.count {
      onPath[Int(path[i])] -= 1
      i += 1
    }
  }
}

import ProfileModel

/// How siblings are ordered along one level of a flame graph.
public enum FlameSort: String, Sendable, CaseIterable {
  /// Alphabetically, as flamegraph.pl does (the same frames line up across profiles).
  case name
  /// Heaviest first, then by name.
  case weight
}

/// What kind of code a frame runs in, for colouring by module.
public enum FrameModule: String, Sendable, CaseIterable {
  /// The profiled program's own binary.
  case user
  /// A shared library.
  case library
  /// The kernel.
  case kernel
  /// JIT-compiled or anonymous executable memory (perf-PID.map).
  case jit
  /// No mapping is known (e.g. loaded folded stacks).
  case unknown

  /// The module a mapping's file name stands for.
  public init(mappingFile name: String) {
    if name.hasPrefix("[kernel") {
      self = .kernel
    } else if name.hasPrefix("/tmp/perf-") && name.hasSuffix(".map") || name.hasPrefix("//anon")
      || name.hasPrefix("[anon") || name.hasPrefix("[jit")
    {
      self = .jit
    } else if name.isEmpty {
      self = .unknown
    } else if name == "[vdso]" || baseName(name).contains(".so") {
      self = .library
    } else {
      self = .user
    }
  }
}

/// Options of a flame graph: value column and filters, root expression, depth and sibling order.
public struct FlameOptions: Sendable {
  /// Value column, granularity and the focus / ignore / hide filters.
  public var graph: GraphOptions
  /// When set, the graph starts at the outermost frame matching this expression on each stack.
  public var root: NameMatcher?
  /// Levels kept (1 = only the roots); nil keeps every level.
  public var maxDepth: Int?
  /// Sibling order.
  public var sort: FlameSort

  /// Options; by default the whole graph from the stack roots, siblings by name.
  public init(
    graph: GraphOptions = GraphOptions(), root: NameMatcher? = nil, maxDepth: Int? = nil, sort: FlameSort = .name
  ) {
    self.graph = graph
    self.root = root
    self.maxDepth = maxDepth
    self.sort = sort
  }
}

/// Flame-graph geometry: every distinct call path once, laid out left to right in value
/// units so that a frame's width is exactly its cum and its children sit inside it.
///
/// Built from the same call-path walk as `CallTree` (one pass over the samples, then the
/// stack tree). Renderers scale `start` and `cum` to cells or pixels.
public struct FlameGraph: Sendable {
  /// One frame of the graph (one call path).
  public struct Node: Sendable, Equatable {
    /// Index into `frames`.
    public var frame: Int32
    /// Index of the caller's node in `nodes`; -1 for a root.
    public var parent: Int32
    /// 0 for a root.
    public var depth: Int32
    /// Left edge in value units from the graph's left edge.
    public var start: Int64
    /// Value of the samples passing through this path: the width.
    public var cum: Int64
    /// Value of the samples ending exactly here.
    public var selfValue: Int64
    /// Index one past this node's subtree in `nodes` (nodes are in pre-order).
    public var end: Int32
  }

  /// What a frame id stands for.
  public struct Frame: Sendable, Equatable {
    /// The printable name (pprof's node name for the granularity).
    public var name: String
    /// Where the frame's code lives.
    public var module: FrameModule
  }

  /// Nodes in pre-order: parents before children, siblings in `sort` order, left to right.
  public var nodes: [Node]
  /// Frame names and modules, indexed by `Node.frame`.
  public var frames: [Frame]
  /// Sum of the roots' cum: the width of the whole graph.
  public var total: Int64
  /// pprof's total (all samples, before filters): the base of report percentages.
  public var reportTotal: Int64
  /// Nodes left out by the depth limit.
  public var depthHidden: Int
  /// What the values measure.
  public var valueType: ValueType
  /// The filters applied.
  public var filter: ProfileFilter
  /// Sibling order used.
  public var sort: FlameSort

  /// Builds the flame graph of `profile`. Paths with a non-positive cum (difference profiles)
  /// have no width and are left out.
  public init(profile: Profile, options: FlameOptions = FlameOptions()) throws(AnalysisError) {
    let graphOptions = options.graph
    let column = try profile.valueIndex(checked: graphOptions.valueIndex)
    let filter = graphOptions.filter
    let masks = filter.isActive ? LocationFilterMasks(profile: profile, filter: filter) : nil
    let table = FrameTable(profile: profile, granularity: graphOptions.granularity, lineVisible: masks?.lineVisible)
    let weights = StackWeights(profile: profile, column: column, masks: masks, hasFocus: filter.focus != nil)
    let names = table.infos.map(\.printableName)
    let rootMatch = options.root.map { m in names.map { m.matches($0) } }
    var visitor = TreeVisitor(rootMatch: rootMatch)
    walkFramePaths(weights: weights, frames: table, locations: profile.stacks.locations.map(\.raw), visitor: &visitor)

    // The module of a frame: that of the first location showing it.
    var modules = [FrameModule](repeating: .unknown, count: names.count)
    var moduleSet = [Bool](repeating: false, count: names.count)
    let mappingModules = profile.mappings.map { FrameModule(mappingFile: profile.strings[$0.filename]) }
    for (l, location) in profile.locations.enumerated() where l + 1 < table.start.count {
      let module =
        location.mapping.flatMap { mappingModules.indices.contains($0.index) ? mappingModules[$0.index] : nil }
        ?? .unknown
      for k in Int(table.start[l])..<Int(table.start[l + 1]) {
        let f = Int(table.nodes[k])
        if !moduleSet[f] {
          moduleSet[f] = true
          modules[f] = module
        }
      }
    }
    frames = zip(names, modules).map { Frame(name: $0, module: $1) }

    let count = visitor.frame.count
    var children = [[Int32]](repeating: [], count: count + 1)  // last slot: the virtual root
    for t in 0..<count where visitor.cum[t] > 0 {
      let p = visitor.parent[t]
      children[p < 0 ? count : Int(p)].append(Int32(t))
    }
    let sort = options.sort
    func ordered(_ list: [Int32]) -> [Int32] {
      list.sorted { a, b in
        let na = names[Int(visitor.frame[Int(a)])]
        let nb = names[Int(visitor.frame[Int(b)])]
        if sort == .weight {
          let ca = visitor.cum[Int(a)]
          let cb = visitor.cum[Int(b)]
          if ca != cb { return ca > cb }
        }
        if na != nb { return na.utf8.lexicographicallyPrecedes(nb.utf8) }
        return a < b
      }
    }
    var nodes: [Node] = []
    nodes.reserveCapacity(count)
    var hidden = 0
    // (tree node, parent graph node, depth, start); a negative tree node closes graph node -t-1.
    var work: [(t: Int32, parent: Int32, depth: Int32, start: Int64)] = []
    var offset: Int64 = 0
    for t in ordered(children[count]) {
      work.append((t, -1, 0, offset))
      offset &+= visitor.cum[Int(t)]
    }
    work.reverse()
    func subtreeSize(_ t: Int32) -> Int {
      var n = 0
      var stack = [t]
      while let x = stack.popLast() {
        n += 1
        stack.append(contentsOf: children[Int(x)])
      }
      return n
    }
    while let (t, parent, depth, start) = work.popLast() {
      if t < 0 {
        nodes[Int(-t - 1)].end = Int32(nodes.count)
        continue
      }
      let i = Int(t)
      let index = Int32(nodes.count)
      nodes.append(
        Node(
          frame: visitor.frame[i], parent: parent, depth: depth, start: start, cum: visitor.cum[i],
          selfValue: visitor.flat[i], end: index + 1))
      work.append((-index - 1, 0, 0, 0))
      if let maxDepth = options.maxDepth, Int(depth) + 1 >= maxDepth {
        for c in children[i] { hidden += subtreeSize(c) }
        continue
      }
      var x = start
      var pushed: [(Int32, Int32, Int32, Int64)] = []
      for c in ordered(children[i]) {
        pushed.append((c, index, depth + 1, x))
        x &+= visitor.cum[Int(c)]
      }
      work.append(contentsOf: pushed.reversed())
    }
    self.nodes = nodes
    self.total = offset
    self.reportTotal = weights.total
    self.depthHidden = hidden
    self.valueType = profile.sampleTypes[column]
    self.filter = filter
    self.sort = sort
  }

  /// The name of node `i`.
  public func name(_ i: Int) -> String { frames[Int(nodes[i].frame)].name }

  /// The children of node `i` (or the roots for -1), left to right.
  public func children(of i: Int) -> [Int] {
    var result: [Int] = []
    var j = i < 0 ? 0 : i + 1
    let end = i < 0 ? nodes.count : Int(nodes[i].end)
    while j < end {
      result.append(j)
      j = Int(nodes[j].end)
    }
    return result
  }

  /// Deepest level present plus one (0 for an empty graph).
  public var depthCount: Int { Int(nodes.map(\.depth).max() ?? -1) + 1 }

  /// Node `i` and its callers, root first.
  public func ancestry(of i: Int) -> [Int] {
    var path: [Int] = []
    var j = i
    while j >= 0 {
      path.append(j)
      j = Int(nodes[j].parent)
    }
    return path.reversed()
  }
}

import ProfileModel

/// Options of `tree`.
public struct CallTreeOptions: Sendable {
  /// Value column, granularity and filters.
  public var graph: GraphOptions
  /// Deepest level shown (1 = only the roots); nil shows every level.
  public var maxDepth: Int?
  /// When set, the tree starts at the outermost frame matching this expression on each stack
  /// (stacks without a match are left out); otherwise at the stack roots.
  public var root: NameMatcher?
  /// Rows whose cum is below this share of the total are left out (with their subtrees).
  public var nodeFraction: Double

  /// Options; by default the whole tree from the stack roots, rows under 0.5 % left out.
  public init(
    graph: GraphOptions = GraphOptions(), maxDepth: Int? = nil, root: NameMatcher? = nil, nodeFraction: Double = 0.005
  ) {
    self.graph = graph
    self.maxDepth = maxDepth
    self.root = root
    self.nodeFraction = nodeFraction
  }
}

/// The call tree from roots to leaves: every distinct call path once, with its cum.
public struct CallTree: Sendable {
  /// One row of the tree in display order (depth first, heavier children first).
  public struct Row: Sendable, Equatable {
    /// The frame this row stands for.
    public var info: NodeInfo
    /// Value of samples passing through this call path.
    public var cum: Int64
    /// Value of samples ending exactly here.
    public var flat: Int64
    /// 0 for a root.
    public var depth: Int
  }

  /// Rows in display order.
  public var rows: [Row]
  /// pprof's total (all samples, before filters): the base of every percentage.
  public var total: Int64
  /// Rows left out by the depth limit or the node fraction.
  public var hiddenRows: Int
  /// The cum below which rows were left out.
  public var cutoff: Int64
  /// What the values measure.
  public var valueType: ValueType
  /// The filters applied.
  public var filter: ProfileFilter

  /// Builds the tree of `profile`.
  public init(profile: Profile, options: CallTreeOptions = CallTreeOptions()) throws(AnalysisError) {
    let graphOptions = options.graph
    let column = try profile.valueIndex(checked: graphOptions.valueIndex)
    let filter = graphOptions.filter
    let masks = filter.isActive ? LocationFilterMasks(profile: profile, filter: filter) : nil
    let frames = FrameTable(profile: profile, granularity: graphOptions.granularity, lineVisible: masks?.lineVisible)
    let weights = StackWeights(
      profile: profile, column: column, masks: masks, hasFocus: filter.focus != nil)
    let names = frames.infos.map(\.printableName)
    let rootMatch = options.root.map { m in names.map { m.matches($0) } }
    var visitor = TreeVisitor(rootMatch: rootMatch)
    walkFramePaths(weights: weights, frames: frames, locations: profile.stacks.locations.map(\.raw), visitor: &visitor)

    // Children lists, heavier first, then by name.
    let count = visitor.frame.count
    var children = [[Int32]](repeating: [], count: count + 1)  // last slot: the virtual root
    for t in 0..<count {
      let p = visitor.parent[t]
      children[p < 0 ? count : Int(p)].append(Int32(t))
    }
    let cutoff = abs(Int64(clampingRounded: Double(weights.total) * options.nodeFraction, .towardZero))
    var rows: [Row] = []
    var hidden = 0
    var work: [(Int32, Int)] = []
    func push(_ list: [Int32], depth: Int) {
      let sorted = list.sorted { a, b in
        let ca = abs(visitor.cum[Int(a)])
        let cb = abs(visitor.cum[Int(b)])
        if ca != cb { return ca > cb }
        return names[Int(visitor.frame[Int(a)])].utf8.lexicographicallyPrecedes(names[Int(visitor.frame[Int(b)])].utf8)
      }
      for t in sorted.reversed() { work.append((t, depth)) }
    }
    func subtreeSize(_ t: Int32) -> Int {
      var n = 0
      var stack = [t]
      while let x = stack.popLast() {
        n += 1
        stack.append(contentsOf: children[Int(x)])
      }
      return n
    }
    push(children[count], depth: 0)
    while let (t, depth) = work.popLast() {
      let i = Int(t)
      if visitor.cum[i] == 0 && visitor.flat[i] == 0 { continue }
      if abs(visitor.cum[i]) < cutoff {
        hidden += subtreeSize(t)
        continue
      }
      rows.append(
        Row(info: frames.infos[Int(visitor.frame[i])], cum: visitor.cum[i], flat: visitor.flat[i], depth: depth))
      if let maxDepth = options.maxDepth, depth + 1 >= maxDepth {
        for c in children[i] { hidden += subtreeSize(c) }
        continue
      }
      push(children[i], depth: depth + 1)
    }
    self.rows = rows
    self.total = weights.total
    self.hiddenRows = hidden
    self.cutoff = cutoff
    self.valueType = profile.sampleTypes[column]
    self.filter = filter
  }
}

/// Builds call-tree nodes keyed by (parent tree node, frame node).
struct TreeVisitor: FramePathVisitor {
  let rootMatch: [Bool]?
  var frame: [Int32] = []
  var parent: [Int32] = []
  var cum: [Int64] = []
  var flat: [Int64] = []
  var index: [UInt64: Int32] = [:]
  /// Tree node of each path entry; -1 while above the first root match.
  var treePath: [Int32] = []

  init(rootMatch: [Bool]?) { self.rootMatch = rootMatch }

  mutating func enter(node: Int32, isInline: Bool, subtree: Int64, path: UnsafeBufferPointer<Int32>) {
    let up = treePath.last ?? -1
    if up < 0, let rootMatch, !rootMatch[Int(node)] {
      treePath.append(-1)
      return
    }
    let key = UInt64(UInt32(bitPattern: up)) << 32 | UInt64(UInt32(bitPattern: node))
    let t: Int32
    if let found = index[key] {
      t = found
    } else {
      t = Int32(frame.count)
      index[key] = t
      frame.append(node)
      parent.append(up)
      cum.append(0)
      flat.append(0)
    }
    cum[Int(t)] &+= subtree
    treePath.append(t)
  }

  mutating func end(weight: Int64, path: UnsafeBufferPointer<Int32>) {
    if let t = treePath.last, t >= 0 { flat[Int(t)] &+= weight }
  }

  mutating func leave(count: Int, path: UnsafeBufferPointer<Int32>) {
    treePath.removeLast(count)
  }
}

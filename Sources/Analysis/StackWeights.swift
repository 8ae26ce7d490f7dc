import ProfileModel

/// One value column summed per node of the stack prefix tree, after focus and ignore.
///
/// This is the only pass over the samples: a million samples on ten thousand stacks become
/// ten thousand weights, and every report then walks the (small) tree instead of samples.
struct StackWeights {
  /// Value of the samples whose leaf is exactly this node (0 for samples focus/ignore drop);
  /// empty when `isPreorder`, whose walk reads the same values from `ownNodes`/`ownValues`.
  var own: [Int64]
  /// The nodes with a non-zero own value, ascending, and those values (when `isPreorder`: the
  /// walk goes in index order, so it reads them with a cursor; a Go service's tree has a sample
  /// leaf among every 47 nodes, and a dense column was 8 bytes a node of fresh pages).
  var ownNodes: [Int32]
  var ownValues: [Int64]
  /// `own` summed over the node's subtree.
  var subtree: [Int64]
  /// Some sample with a non-zero value ends in the node's subtree; empty when no value is
  /// negative, where that is `subtree != 0` (in a difference profile values may cancel, so a
  /// zero `subtree` does not mean nothing is there).
  var reachedNodes: [Bool]
  /// Sum of |value| over all samples before any filter: pprof's report total.
  var total: Int64
  /// Parent of each node (the tree's column, read once).
  var parents: [Int32]
  /// True when every node's parent is on the path from the root to the node before it (the
  /// pprof loader builds trees so): then index order is a depth-first order and the walk needs
  /// no child lists, which on millions of nodes cost as much as the walk.
  var isPreorder: Bool
  /// Children of node `n` are `children[childStart[n] ..< childStart[n + 1]]`; empty when
  /// `isPreorder`.
  var childStart: [Int32]
  var children: [Int32]

  /// Whether focus and ignore keep the samples ending in each stack node. They depend on the
  /// whole stack: decided per node, parents first (a child always has a larger index than
  /// its parent). pprof drops samples without frames once any filter is set.
  static func keptNodes(tree: StackTree, masks: LocationFilterMasks, hasFocus: Bool) -> [Bool] {
    let n = tree.count
    var kept = [Bool](repeating: false, count: n)
    var focused = [Bool](repeating: !hasFocus, count: n)
    var ignored = [Bool](repeating: false, count: n)
    if n > 0 { focused[0] = false }
    for i in 1..<max(1, n) {
      let p = tree.parents[i].index
      let loc = tree.locations[i].index
      if hasFocus { focused[i] = focused[p] || masks.focus[loc] }
      ignored[i] = ignored[p] || masks.ignore[loc]
      kept[i] = focused[i] && !ignored[i]
    }
    return kept
  }

  init(profile: Profile, column: Int, masks: LocationFilterMasks?, hasFocus: Bool) {
    let tree = profile.stacks
    let n = tree.count
    // Own values first, summed into the node's subtree weight below.
    var subtree = [Int64](repeating: 0, count: n)
    var total: Int64 = 0
    subtree.withUnsafeMutableBufferPointer { own in
      profile.samples.forEach(column: column) { s, value in
        own[s.index] &+= value
        total &+= value < 0 ? -value : value
      }
    }
    if let masks {
      let kept = Self.keptNodes(tree: tree, masks: masks, hasFocus: hasFocus)
      for i in 0..<n where !kept[i] { subtree[i] = 0 }
    }

    var parents = [Int32](repeating: 0, count: n)
    var i = 0
    tree.parents.forEach { p in
      parents[i] = p.raw
      i += 1
    }
    let isPreorder = Self.isPreorder(parents)
    var own: [Int64] = []
    var ownNodes: [Int32] = []
    var ownValues: [Int64] = []
    var hasNegative = false
    if isPreorder {
      for s in 0..<n where subtree[s] != 0 {
        ownNodes.append(Int32(s))
        ownValues.append(subtree[s])
        if subtree[s] < 0 { hasNegative = true }
      }
    } else {
      own = subtree
      hasNegative = own.contains { $0 < 0 }
    }
    var reached = hasNegative ? subtree.map { $0 != 0 } : []
    var childStart: [Int32] = []
    var children: [Int32] = []
    parents.withUnsafeBufferPointer { parents in
      var i = n - 1
      while i >= 1 {
        let p = Int(parents[i])
        subtree[p] &+= subtree[i]
        if hasNegative && reached[i] { reached[p] = true }
        i -= 1
      }
      guard !isPreorder else { return }
      childStart = [Int32](repeating: 0, count: n + 1)
      for i in 1..<max(1, n) { childStart[Int(parents[i]) + 1] += 1 }
      for k in 0..<n { childStart[k + 1] += childStart[k] }
      var fill = childStart
      children = [Int32](repeating: 0, count: max(0, n - 1))
      for c in 1..<max(1, n) {
        let p = Int(parents[c])
        children[Int(fill[p])] = Int32(c)
        fill[p] += 1
      }
    }
    self.parents = parents
    self.isPreorder = isPreorder
    self.own = own
    self.ownNodes = ownNodes
    self.ownValues = ownValues
    self.subtree = subtree
    self.reachedNodes = reached
    self.total = total
    self.childStart = childStart
    self.children = children
  }

  /// Whether some sample with a non-zero value ends in node `s`'s subtree.
  @inline(__always)
  func reached(_ s: Int) -> Bool { reachedNodes.isEmpty ? subtree[s] != 0 : reachedNodes[s] }

  /// Whether each node's parent is the root or on the path to the node before it (one pass
  /// with a stack of that path).
  static func isPreorder(_ parents: [Int32]) -> Bool {
    let path = ScratchBuffer<Int32>(capacity: 256)
    path.append(0)
    for i in 1..<max(1, parents.count) {
      let p = parents[i]
      while let top = path.last, top != p { path.removeLast(1) }
      if path.count == 0 { return false }
      path.append(Int32(i))
    }
    return true
  }
}

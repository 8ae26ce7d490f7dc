/// The walk visitors behind `CallGraph`.

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

/// Finds the edges between kept nodes only (the nearest kept caller of each kept frame),
/// once per sample, and whether each is inline.
struct KeptInlineVisitor: FramePathVisitor {
  let keep: [Bool]
  var onPath: [Int32]
  var keptPath: [Int32] = []
  /// Per full-path entry: it was pushed on `keptPath`.
  var pushed: [Bool] = []
  /// (caller << 32 | callee) → every contribution was inline.
  var edgeInline: [UInt64: Bool] = [:]
  /// (caller << 32 | callee) → value of the samples making the call.
  var edgeWeight: [UInt64: Int64] = [:]

  init(keep: [Bool]) {
    self.keep = keep
    onPath = [Int32](repeating: 0, count: keep.count)
  }

  mutating func enter(node: Int32, isInline: Bool, subtree: Int64, path: UnsafeBufferPointer<Int32>) {
    guard keep[Int(node)] else {
      pushed.append(false)
      return
    }
    defer {
      keptPath.append(node)
      pushed.append(true)
      onPath[Int(node)] += 1
    }
    guard let caller = keptPath.last, caller != node else { return }
    if onPath[Int(node)] > 0 {
      var i = 1
      while i < keptPath.count {
        if keptPath[i] == node && keptPath[i - 1] == caller { return }
        i += 1
      }
    }
    let key = UInt64(UInt32(bitPattern: caller)) << 32 | UInt64(UInt32(bitPattern: node))
    if let seen = edgeInline[key] {
      if seen && !isInline { edgeInline[key] = false }
    } else {
      edgeInline[key] = isInline
    }
    edgeWeight[key, default: 0] &+= subtree
  }

  mutating func end(weight: Int64, path: UnsafeBufferPointer<Int32>) {}

  mutating func leave(count: Int, path: UnsafeBufferPointer<Int32>) {
    for _ in 0..<count {
      if pushed.removeLast(), let node = keptPath.popLast() { onPath[Int(node)] -= 1 }
    }
  }
}

/// The walk visitors behind `CallGraph`.

/// Accumulates flat, cum (once per sample) and edges (once per sample) along the walk.
///
/// Runs once per visible frame of every distinct stack (millions on a profile of unique deep
/// stacks), so its counters are scratch buffers and an edge is found through a small
/// direct-mapped cache in front of the dictionary: a walk meets the same few caller → callee
/// pairs over and over.
struct GraphVisitor: FramePathVisitor {
  let flat: ScratchBuffer<Int64>
  let cum: ScratchBuffer<Int64>
  let onPath: ScratchBuffer<Int32>
  let withEdges: Bool
  var edgeIndex: [UInt64: Int32] = [:]
  let edgeCaller = ScratchBuffer<Int32>(capacity: 64)
  let edgeCallee = ScratchBuffer<Int32>(capacity: 64)
  let edgeWeight = ScratchBuffer<Int64>(capacity: 64)
  let edgeInline = ScratchBuffer<Bool>(capacity: 64)
  /// Per edge: how many times it is on the current path (recursion repeats an edge).
  let edgeOnPath = ScratchBuffer<Int32>(capacity: 64)
  /// Per path entry: the edge entered with it, or -1.
  let pathEdge = ScratchBuffer<Int32>(capacity: 256)
  /// Direct-mapped cache of edgeIndex: slot → key (UInt64.max when empty) and edge.
  static let cacheSlots = 1 << 12
  let cacheKeys = ScratchBuffer<UInt64>(repeating: .max, count: cacheSlots)
  let cacheEdges = ScratchBuffer<Int32>(repeating: 0, count: cacheSlots)

  init(nodeCount: Int, withEdges: Bool) {
    flat = ScratchBuffer(repeating: 0, count: nodeCount)
    cum = ScratchBuffer(repeating: 0, count: nodeCount)
    onPath = ScratchBuffer(repeating: 0, count: nodeCount)
    self.withEdges = withEdges
  }

  mutating func enter(node: Int32, isInline: Bool, subtree: Int64, path: UnsafeBufferPointer<Int32>) {
    let r = Int(node)
    let seen = onPath[r] > 0
    if !seen { cum[r] &+= subtree }
    onPath[r] += 1
    guard withEdges else { return }
    guard path.count >= 2, path[path.count - 2] != node else {
      pathEdge.append(-1)
      return
    }
    let caller = path[path.count - 2]
    let key = UInt64(UInt32(bitPattern: caller)) << 32 | UInt64(UInt32(bitPattern: node))
    let e = edge(key: key, caller: caller, callee: node, isInline: isInline)
    pathEdge.append(Int32(e))
    // Recursion: a call already on this path is counted once per sample (a per-edge count keeps
    // this constant-time, where scanning the path made deep recursive stacks quadratic).
    edgeOnPath[e] += 1
    if edgeOnPath[e] > 1 { return }
    if !isInline { edgeInline[e] = false }
    edgeWeight[e] &+= subtree
  }

  /// The index of the edge `key`, added (inline as `isInline` says) when new.
  @inline(__always)
  private mutating func edge(key: UInt64, caller: Int32, callee: Int32, isInline: Bool) -> Int {
    let slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 52) & (Self.cacheSlots - 1)
    if cacheKeys[slot] == key { return Int(cacheEdges[slot]) }
    let e: Int
    if let found = edgeIndex[key] {
      e = Int(found)
    } else {
      e = edgeWeight.count
      edgeIndex[key] = Int32(e)
      edgeCaller.append(caller)
      edgeCallee.append(callee)
      edgeWeight.append(0)
      edgeInline.append(isInline)
      edgeOnPath.append(0)
    }
    cacheKeys[slot] = key
    cacheEdges[slot] = Int32(e)
    return e
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
    guard withEdges else { return }
    for _ in 0..<count {
      if let e = pathEdge.popLast(), e >= 0 { edgeOnPath[Int(e)] -= 1 }
    }
  }
}

/// Finds the edges between kept nodes only (the nearest kept caller of each kept frame),
/// once per sample, and whether each is inline.
struct KeptInlineVisitor: FramePathVisitor {
  let keep: [Bool]
  let onPath: ScratchBuffer<Int32>
  let keptPath = ScratchBuffer<Int32>(capacity: 256)
  /// Per full-path entry: it was pushed on `keptPath`.
  let pushed = ScratchBuffer<Bool>(capacity: 256)
  /// (caller << 32 | callee) → every contribution was inline.
  var edgeInline: [UInt64: Bool] = [:]
  /// (caller << 32 | callee) → value of the samples making the call.
  var edgeWeight: [UInt64: Int64] = [:]
  /// (caller << 32 | callee) → how many times the call is on the current kept path.
  var edgeOnPath: [UInt64: Int32] = [:]
  /// Per kept-path entry: the key of the call entered with it, or nil.
  var keptEdge: [UInt64?] = []

  init(keep: [Bool]) {
    self.keep = keep
    onPath = ScratchBuffer(repeating: 0, count: keep.count)
  }

  mutating func enter(node: Int32, isInline: Bool, subtree: Int64, path: UnsafeBufferPointer<Int32>) {
    guard keep[Int(node)] else {
      pushed.append(false)
      return
    }
    var entered: UInt64?
    defer {
      keptPath.append(node)
      keptEdge.append(entered)
      pushed.append(true)
      onPath[Int(node)] += 1
    }
    guard let caller = keptPath.last, caller != node else { return }
    let key = UInt64(UInt32(bitPattern: caller)) << 32 | UInt64(UInt32(bitPattern: node))
    entered = key
    // A call already on the kept path (recursion) is counted once per sample; a per-call count
    // keeps this constant-time where scanning the path was quadratic in the depth.
    let depth = edgeOnPath[key, default: 0] + 1
    edgeOnPath[key] = depth
    if depth > 1 { return }
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
      guard pushed.popLast() == true, let node = keptPath.popLast() else { continue }
      onPath[Int(node)] -= 1
      if let key = keptEdge.popLast() ?? nil { edgeOnPath[key, default: 1] -= 1 }
    }
  }
}

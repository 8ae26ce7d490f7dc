/// Receives the visible frames of every weighted stack, root first, from `walkFramePaths`.
protocol FramePathVisitor {
  /// Frame `node` was entered below the current path; `subtree` is the weight of every
  /// sample passing through it; `isInline` is true unless it is its location's outermost line.
  mutating func enter(node: Int32, isInline: Bool, subtree: Int64, path: UnsafeBufferPointer<Int32>)
  /// Samples of weight `weight` end here; `path` holds their visible frames, root first.
  mutating func end(weight: Int64, path: UnsafeBufferPointer<Int32>)
  /// The last `count` frames of the path were left.
  mutating func leave(count: Int, path: UnsafeBufferPointer<Int32>)
}

/// Depth-first walk of the stack prefix tree, skipping subtrees without a weighted sample, so that each
/// distinct stack is visited once however many samples share it.
func walkFramePaths<V: FramePathVisitor>(
  weights: StackWeights, frames: FrameTable, locations: [Int32], visitor: inout V
) {
  var path: [Int32] = []
  path.reserveCapacity(256)
  // (stack node, path length to restore); a negative node marks the exit of -node.
  var work: [(node: Int32, restore: Int32)] = []
  let rootFirst = Int(weights.childStart[0])
  let rootEnd = Int(weights.childStart[1])
  for k in stride(from: rootEnd - 1, through: rootFirst, by: -1) {
    work.append((weights.children[k], 0))
  }
  // Samples on the empty stack have no frames: they reach no node (pprof skips them too).
  while let (raw, restore) = work.popLast() {
    if raw < 0 {
      let drop = path.count - Int(restore)
      if drop > 0 {
        path.withUnsafeBufferPointer { visitor.leave(count: drop, path: $0) }
        path.removeLast(drop)
      }
      continue
    }
    let s = Int(raw)
    let sub = weights.subtree[s]
    if !weights.reached[s] { continue }
    let before = Int32(path.count)
    let loc = Int(locations[s])
    let first = Int(frames.start[loc])
    let end = Int(frames.start[loc + 1])
    var k = end - 1
    while k >= first {
      let node = frames.nodes[k]
      path.append(node)
      path.withUnsafeBufferPointer {
        visitor.enter(node: node, isInline: k != end - 1, subtree: sub, path: $0)
      }
      k -= 1
    }
    let own = weights.own[s]
    if own != 0, !path.isEmpty {
      path.withUnsafeBufferPointer { visitor.end(weight: own, path: $0) }
    }
    work.append((-raw, before))
    let c0 = Int(weights.childStart[s])
    let c1 = Int(weights.childStart[s + 1])
    var c = c1 - 1
    while c >= c0 {
      work.append((weights.children[c], 0))
      c -= 1
    }
  }
}

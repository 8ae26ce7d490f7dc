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
/// distinct stack is visited once however many samples share it. The path and the work list live
/// in scratch buffers: a profile of unique deep stacks (a Go service's) has millions of nodes, and
/// array appends and slices per node were most of the walk.
///
/// `only`, when given, leaves out every stack node it marks false with its subtree (a caller
/// that knows nothing it looks for is below those nodes); it must mark a node's parent
/// whenever it marks the node.
func walkFramePaths<V: FramePathVisitor>(
  weights: StackWeights, frames: FrameTable, locations: [Int32], only: [Bool]? = nil, visitor: inout V
) {
  if weights.isPreorder {
    walkPreorder(weights: weights, frames: frames, locations: locations, only: only, visitor: &visitor)
    return
  }
  let path = ScratchBuffer<Int32>(capacity: 256)
  // Stack node, or -(node + 1) for the exit of that node; `restores` holds the path length to
  // restore at each exit, in the same order.
  let work = ScratchBuffer<Int32>(capacity: 256)
  let restores = ScratchBuffer<Int32>(capacity: 256)
  let rootFirst = Int(weights.childStart[0])
  let rootEnd = Int(weights.childStart[1])
  for k in stride(from: rootEnd - 1, through: rootFirst, by: -1) {
    work.append(weights.children[k])
  }
  // Samples on the empty stack have no frames: they reach no node (pprof skips them too).
  while let raw = work.popLast() {
    if raw < 0 {
      let restore = Int(restores.popLast() ?? 0)
      let drop = path.count - restore
      if drop > 0 {
        visitor.leave(count: drop, path: path.buffer)
        path.removeLast(drop)
      }
      continue
    }
    let s = Int(raw)
    if !weights.reached(s) { continue }
    if let only, !only[s] { continue }
    let before = Int32(path.count)
    enterStackNode(
      s, own: weights.own[s], weights: weights, frames: frames, locations: locations, path: path, visitor: &visitor)
    work.append(-raw - 1)
    restores.append(before)
    let c0 = Int(weights.childStart[s])
    let c1 = Int(weights.childStart[s + 1])
    var c = c1 - 1
    while c >= c0 {
      work.append(weights.children[c])
      c -= 1
    }
  }
}

/// The same walk over a tree whose index order is depth-first (`StackWeights.isPreorder`):
/// nodes in index order, leaving the path back to each node's parent first. Children come in
/// increasing index order, as the child lists give them, so visitors see the same calls.
private func walkPreorder<V: FramePathVisitor>(
  weights: StackWeights, frames: FrameTable, locations: [Int32], only: [Bool]?, visitor: inout V
) {
  let path = ScratchBuffer<Int32>(capacity: 256)
  // The entered stack nodes from the root down, and the path length before each.
  let open = ScratchBuffer<Int32>(capacity: 256)
  let restores = ScratchBuffer<Int32>(capacity: 256)
  func leave(downTo keep: Int32) {
    while let top = open.last, top != keep {
      open.removeLast(1)
      let drop = path.count - Int(restores.popLast() ?? 0)
      if drop > 0 {
        visitor.leave(count: drop, path: path.buffer)
        path.removeLast(drop)
      }
    }
  }
  // The next node with an own value: nodes come in increasing order, so a cursor finds each.
  var nextOwn = 0
  let ownNodes = weights.ownNodes
  for s in 1..<max(1, weights.parents.count) where weights.reached(s) {
    if let only, !only[s] { continue }
    // A reached node's parent is reached (or the root), so it is on the open path.
    leave(downTo: weights.parents[s] == 0 ? -1 : weights.parents[s])
    let before = Int32(path.count)
    while nextOwn < ownNodes.count && Int(ownNodes[nextOwn]) < s { nextOwn += 1 }
    let own = nextOwn < ownNodes.count && Int(ownNodes[nextOwn]) == s ? weights.ownValues[nextOwn] : 0
    enterStackNode(s, own: own, weights: weights, frames: frames, locations: locations, path: path, visitor: &visitor)
    open.append(Int32(s))
    restores.append(before)
  }
  leave(downTo: -1)
}

/// Enters stack node `s`: its location's visible frames, outermost first, onto `path` (each
/// told to the visitor), then the samples that end there (`own`, their weight). The one step both walks share.
@inline(__always)
private func enterStackNode<V: FramePathVisitor>(
  _ s: Int, own: Int64, weights: StackWeights, frames: FrameTable, locations: [Int32], path: ScratchBuffer<Int32>,
  visitor: inout V
) {
  let sub = weights.subtree[s]
  let loc = Int(locations[s])
  let first = Int(frames.start[loc])
  let end = Int(frames.start[loc + 1])
  var k = end - 1
  while k >= first {
    let node = frames.nodes[k]
    path.append(node)
    visitor.enter(node: node, isInline: k != end - 1, subtree: sub, path: path.buffer)
    k -= 1
  }
  if own != 0, path.count > 0 {
    visitor.end(weight: own, path: path.buffer)
  }
}

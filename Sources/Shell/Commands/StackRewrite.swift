import ProfileModel

/// Rewrites the stacks of a profile's samples in place, merging samples that end up with the
/// same stack and labels: the one loop behind `ProbeHandlingNode` and `GoStackRoots`.
enum StackRewrite {
  /// Applies `rewrite` to every sample's frames (leaf first); nil keeps a stack as it is.
  /// Returns how many samples changed. The timeline follows the leaves: a leaf location's
  /// time goes to the new leaves in proportion to the CPU time of the samples that moved.
  static func apply(to profile: inout Profile, _ rewrite: (inout Profile, [LocationID]) -> [LocationID]?) -> Int {
    var samples = SampleTable(width: profile.samples.width)
    var index: [UInt64: Int] = [:]
    var changed = 0
    let timeColumn = profile.sampleTypeIndex(named: "cpu")
    var leafMoves: [LocationID: [LocationID: Int64]] = [:]
    var leafMoved = false
    for i in 0..<profile.samples.count {
      var stack = profile.samples.stacks[i]
      let oldLeaf = stack == .root ? nil : profile.stacks.location(of: stack)
      if let frames = rewrite(&profile, profile.stacks.frames(leafFirst: stack)) {
        stack = profile.stacks.intern(leafFirst: frames)
        changed += 1
      }
      if profile.timeline != nil, let oldLeaf, let timeColumn {
        let newLeaf = stack == .root ? oldLeaf : profile.stacks.location(of: stack)
        leafMoved = leafMoved || newLeaf != oldLeaf
        leafMoves[oldLeaf, default: [:]][newLeaf, default: 0] &+= profile.samples.value(i, timeColumn)
      }
      let labels = profile.samples.labelSets[i]
      let key = UInt64(UInt32(bitPattern: stack.raw)) << 32 | UInt64(UInt32(bitPattern: labels.raw))
      if let j = index[key] {
        for c in 0..<samples.width { samples.add(profile.samples.value(i, c), toSample: j, column: c) }
      } else {
        index[key] = samples.count
        samples.append(stack: stack, values: profile.samples.values(of: i), labels: labels)
      }
    }
    if changed > 0 { profile.samples = samples }
    if leafMoved {
      profile.timeline?.redistribute(
        leafMoves.mapValues { $0.sorted { $0.key.raw < $1.key.raw }.map { ($0.key, $0.value) } })
    }
    return changed
  }
}

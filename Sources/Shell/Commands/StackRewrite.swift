import ProfileModel

/// Rewrites the stacks of a profile's samples in place, merging samples that end up with the
/// same stack and labels: the one loop behind `ProbeHandlingNode` and `GoStackRoots`.
enum StackRewrite {
  /// Applies `rewrite` to every sample's frames (leaf first); nil keeps a stack as it is.
  /// Returns how many samples changed.
  static func apply(to profile: inout Profile, _ rewrite: (inout Profile, [LocationID]) -> [LocationID]?) -> Int {
    var samples = SampleTable(width: profile.samples.width)
    var index: [UInt64: Int] = [:]
    var changed = 0
    for i in 0..<profile.samples.count {
      var stack = profile.samples.stacks[i]
      if let frames = rewrite(&profile, profile.stacks.frames(leafFirst: stack)) {
        stack = profile.stacks.intern(leafFirst: frames)
        changed += 1
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
    return changed
  }
}

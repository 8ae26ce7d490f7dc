import ProfileModel

/// Decodes Sample messages into a profile in two steps: `decode` checks each sample and keeps
/// its frames (root first) in one flat buffer, then `finish` builds the stack tree. The buffer
/// holds two-byte location indices while they fit (a Go profile has a few thousand locations and
/// millions of frames), four-byte ones otherwise.
///
/// `finish` visits samples in lexicographic order of their stacks, so a sample shares its
/// prefix with the one before it and only the frames after the point where they diverge
/// touch the tree; those frames are the new nodes, appended without a lookup while they are
/// within the sorted prefix (below it, a small index finds nodes met again). This keeps the
/// random-access work proportional to the deep part of the tree, not to the number of frames.
/// The order compares at most `sortPrefix` frames, then a hash of the whole stack, so hostile
/// input (thousands of identical deep stacks) cannot make sorting quadratic.
struct PprofSampleDecoder {
  let width: Int
  let locationIDs: PprofIDMap
  let stringCount: Int
  /// Frames as two-byte location indices (`narrow`) or four-byte ones; only one is used.
  var narrowFrames: [UInt16] = []
  var wideFrames: [Int32] = []
  private(set) var narrow: Bool
  /// The largest index kept in two bytes (below `UInt16.max` only in tests of the switch).
  let narrowLimit: Int32
  var frameStarts: [Int] = [0]
  var hashes: [UInt64] = []
  static let sortPrefix = 64
  var values: [Int64] = []
  /// Each sample's label set, interned as the sample is read (a Go service's profile has a set
  /// per request: holding every sample's labels until `finish` cost more than the sets).
  var labelSets: [LabelSetID] = []
  /// The labels of the sample being read.
  private var labelScratch: [Label] = []
  var markers = TruncationMarkers()
  /// The profile's string table while another core builds it; joined into the profile by
  /// `adoptStrings` before anything reads or adds strings.
  private var pendingStrings: BackgroundTask<StringTable>?

  init(
    width: Int, locationIDs: PprofIDMap, stringCount: Int, sampleCount: Int, sampleBytes: Int,
    pendingStrings: BackgroundTask<StringTable>? = nil, narrowLimit: Int32 = Int32(UInt16.max)
  ) {
    self.narrowLimit = narrowLimit
    self.pendingStrings = pendingStrings
    self.width = width
    self.locationIDs = locationIDs
    self.stringCount = stringCount
    frameStarts.reserveCapacity(sampleCount + 1)
    // Every value takes at least one byte of a sample, so the bytes bound the reservation even
    // when a forged profile declares thousands of sample types.
    values.reserveCapacity(min(sampleCount * width, sampleBytes))
    labelSets.reserveCapacity(sampleCount)
    hashes.reserveCapacity(sampleCount)
    // Every frame is a location id of at least one byte, so the samples' bytes bound the frames:
    // reserving that once avoids growing a megabytes-long array through copies (pages past the
    // frames really read are never touched, so they cost address space, not memory). A guess
    // from the largest id's varint length under-reserved a Go profile by half (its hottest
    // locations have one-byte ids) and doubled it at the end.
    let reserve = min(sampleBytes, PprofDecoder.maxTotalFrames)
    narrow = locationIDs.count <= Int(narrowLimit) + 1
    if narrow { narrowFrames.reserveCapacity(reserve) } else { wideFrames.reserveCapacity(reserve) }
  }

  mutating func decode(_ reader: ProtoReader, index: Int, into p: inout Profile) throws(FormatError) {
    var r = reader
    let firstFrame = frameCount
    let firstValue = values.count
    labelScratch.removeAll(keepingCapacity: true)
    let name = "Sample"
    var dropped = 0
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1:
        try r.forEachVarint(field, wire, in: name) { (id) throws(FormatError) in
          guard let loc = locationIDs.index(of: id) else {
            throw .invalidPprof(reason: "sample \(index) refers to location \(id), which does not exist")
          }
          // Ids come leaf first: past the limit, the root-side rest is only counted.
          guard frameCount - firstFrame < StackDepthLimit.maxFrames else {
            dropped += 1
            return
          }
          guard frameCount < PprofDecoder.maxTotalFrames else {
            throw .invalidPprof(reason: "the samples have more than \(PprofDecoder.maxTotalFrames) locations in total")
          }
          appendFrame(loc)
        }
      case 2:
        try r.forEachVarint(field, wire, in: name) { (v) throws(FormatError) in
          guard values.count - firstValue < width else {
            throw .invalidPprof(reason: "sample \(index) has more values than the \(width) sample types")
          }
          values.append(Int64(bitPattern: v))
        }
      case 3:
        guard wire == .lengthDelimited else { throw r.mismatch(field, wire, in: name) }
        labelScratch.append(try decodeLabel(r.reader(for: try r.readLengthDelimited()), sample: index))
      default:
        try r.skip(wire)
      }
    }
    guard values.count - firstValue == width else {
      throw .invalidPprof(reason: "sample \(index) has \(values.count - firstValue) values vs. \(width) sample types")
    }
    if dropped > 0 {
      // The root-most kept frame makes room for the marker: the stack keeps exactly maxFrames.
      if narrow { narrowFrames.removeLast() } else { wideFrames.removeLast() }
      adoptStrings(into: &p)
      appendFrame(markers.location(dropped: dropped + 1, in: &p).raw)
    }
    // pprof lists frames leaf first; keep them root first for the tree.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    if narrow {
      narrowFrames[firstFrame...].reverse()
      for f in narrowFrames[firstFrame...] { hash = (hash ^ UInt64(f)) &* 0x100_0000_01b3 }
    } else {
      wideFrames[firstFrame...].reverse()
      for f in wideFrames[firstFrame...] { hash = (hash ^ UInt64(UInt32(bitPattern: f))) &* 0x100_0000_01b3 }
    }
    frameStarts.append(frameCount)
    hashes.append(hash)
    labelSets.append(labelScratch.isEmpty ? .none : p.labelSets.intern(labelScratch))
  }

  /// Frames kept so far, over all samples.
  var frameCount: Int { narrow ? narrowFrames.count : wideFrames.count }

  /// Appends location index `loc`; a truncation marker past two bytes moves the frames to
  /// four-byte indices (once).
  @inline(__always)
  private mutating func appendFrame(_ loc: Int32) {
    if narrow {
      if loc >= 0 && loc <= narrowLimit {
        narrowFrames.append(UInt16(truncatingIfNeeded: loc))
        return
      }
      wideFrames = narrowFrames.map { Int32($0) }
      narrowFrames = []
      narrow = false
    }
    wideFrames.append(loc)
  }

  /// Waits for the string table being built on the other core and puts it in the profile.
  mutating func adoptStrings(into p: inout Profile) {
    guard let pending = pendingStrings else { return }
    p.strings = pending.wait()
    pendingStrings = nil
  }

  /// Builds the stack tree and appends every sample, in the order they were decoded.
  mutating func finish(into p: inout Profile) {
    defer { adoptStrings(into: &p) }
    precondition(p.stacks.count == 1, "the pprof decoder builds the stack tree from empty")
    let n = labelSets.count
    let order =
      narrow
      ? narrowFrames.withUnsafeBufferPointer { f in sortedOrder(frames: f, count: n) }
      : wideFrames.withUnsafeBufferPointer { f in sortedOrder(frames: f, count: n) }
    // The hashes only break ties in the order; the tree is built without them.
    hashes = []
    let leaves =
      narrow
      ? narrowFrames.withUnsafeBufferPointer { f in buildTree(frames: f, order: order, into: &p) }
      : wideFrames.withUnsafeBufferPointer { f in buildTree(frames: f, order: order, into: &p) }
    narrowFrames = []
    wideFrames = []
    p.samples = SampleTable(width: width, stacks: leaves, labelSets: labelSets, values: values)
    labelSets = []
  }

  /// Sample indices `0..<n` in the order of their stacks (see `StackOrder`).
  private func sortedOrder<F: FixedWidthInteger>(frames f: UnsafeBufferPointer<F>, count n: Int) -> [Int] {
    frameStarts.withUnsafeBufferPointer { starts in
      hashes.withUnsafeBufferPointer { h in
        Self.sortedOrder(StackOrder(frames: f, starts: starts, hashes: h, prefix: Self.sortPrefix), count: n)
      }
    }
  }

  /// Builds the stack tree from `frames` (every sample's, root first), visiting the samples in
  /// `order` (sorted); the leaf node of each sample.
  private func buildTree<F: FixedWidthInteger>(
    frames f: UnsafeBufferPointer<F>, order: [Int], into p: inout Profile
  ) -> [StackID] {
    var leaves = [StackID](repeating: .root, count: order.count)
    frameStarts.withUnsafeBufferPointer { starts in
      // Room for the nodes of the sorted prefix at once (exactly: each is new; deeper nodes
      // can recur, so they are left to grow): growing the columns node by node copied them
      // at each doubling and widening.
      var newNodes = 0
      var before = -1
      for s in order {
        let shared = before >= 0 ? Self.sharedPrefix(f, starts, s, before) : 0
        newNodes += max(0, min(starts[s + 1] - starts[s], Self.sortPrefix) - shared)
        before = s
      }
      p.stacks.reserveNodes(newNodes)
      // path[d] is the node at depth d + 1 of the previous sample in this order.
      var path: [StackID] = []
      // Nodes below sortPrefix frames, where the order is by hash and a node can recur.
      var deepNodes = ChildIndex()
      var previous = -1
      for s in order {
        let start = starts[s]
        let count = starts[s + 1] - start
        let shared = previous >= 0 ? Self.sharedPrefix(f, starts, s, previous) : 0
        path.removeSubrange(shared...)
        var node = shared > 0 ? path[shared - 1] : StackID.root
        // Lexicographic up to sortPrefix frames: every stack with this node's prefix is next to
        // this one in the order, and the previous one diverged above it, so the nodes down to
        // sortPrefix are new: one chain, appended without lookups (nothing to index: the tree
        // started empty).
        let chainEnd = min(count, Self.sortPrefix)
        if shared < chainEnd {
          let first = Self.appendChain(
            to: &p.stacks, parent: node, UnsafeBufferPointer(rebasing: f[(start + shared)..<(start + chainEnd)]))
          for k in 0..<Int32(chainEnd - shared) { path.append(StackID(first.raw + k)) }
          node = StackID(first.raw + Int32(chainEnd - shared - 1))
        }
        for d in max(shared, chainEnd)..<count {
          let location = LocationID(Int32(truncatingIfNeeded: f[start + d]))
          let key = StackTree.key(parent: node, location: location)
          if let found = deepNodes.find(key) {
            node = StackID(found)
          } else {
            node = p.stacks.appendNew(parent: node, location: location)
            deepNodes.insertNew(key, node.raw)
          }
          path.append(node)
        }
        leaves[s] = node
        previous = s
      }
    }
    return leaves
  }

  /// `StackTree.appendChain` for the frame width in use (the tree's entry points are concrete,
  /// so the columns' code is specialised; this decides between them at compile time).
  @inline(__always)
  static func appendChain<F: FixedWidthInteger>(
    to tree: inout StackTree, parent: StackID, _ chain: UnsafeBufferPointer<F>
  ) -> StackID {
    if F.self == UInt16.self {
      return chain.withMemoryRebound(to: UInt16.self) { tree.appendChain(parent: parent, locations: $0) }
    }
    precondition(F.self == Int32.self, "frames are two- or four-byte location indices")
    return chain.withMemoryRebound(to: Int32.self) { tree.appendChain(parent: parent, locations: $0) }
  }

  /// How many root-first frames samples `a` and `b` have in common.
  @inline(__always)
  static func sharedPrefix<F: FixedWidthInteger>(
    _ f: UnsafeBufferPointer<F>, _ starts: UnsafeBufferPointer<Int>, _ a: Int, _ b: Int
  ) -> Int {
    let sa = starts[a]
    let sb = starts[b]
    return firstDifference(f, sa, sb, limit: min(starts[a + 1] - sa, starts[b + 1] - sb))
  }

  /// The first `i < limit` where frames `sa + i` and `sb + i` differ, or `limit`. Eight bytes of
  /// frames are compared at a time (stacks of one program share long prefixes: the runtime's
  /// and the server's frames above each request's); every word read lies within both stacks.
  @inline(__always)
  static func firstDifference<F: FixedWidthInteger>(
    _ f: UnsafeBufferPointer<F>, _ sa: Int, _ sb: Int, limit: Int
  ) -> Int {
    let size = MemoryLayout<F>.stride
    let perWord = 8 / size
    var i = 0
    if perWord > 1, let base = f.baseAddress {
      let raw = UnsafeRawPointer(base)
      while i + perWord <= limit {
        let x = raw.loadUnaligned(fromByteOffset: (sa + i) * size, as: UInt64.self)
        let y = raw.loadUnaligned(fromByteOffset: (sb + i) * size, as: UInt64.self)
        let d = x ^ y
        // Frames are little-endian in the word: the lowest differing bits are the first frame.
        if d != 0 { return i + d.littleEndian.trailingZeroBitCount / (size * 8) }
        i += perWord
      }
    }
    while i < limit && f[sa + i] == f[sb + i] { i += 1 }
    return i
  }

  /// Sample indices `0..<count` in `less`'s order: each half sorted on its own core, then
  /// merged (the sort was about a quarter of loading the big file). Small inputs sort on the calling thread.
  static func sortedOrder<F: FixedWidthInteger>(_ less: StackOrder<F>, count n: Int) -> [Int] {
    var order = Array(0..<n)
    guard n >= 4096 else {
      order.sort(by: less.callAsFunction)
      return order
    }
    let mid = n / 2
    order.withUnsafeMutableBufferPointer { all in
      // The worker sorts only the upper half; both halves stay put until `wait` returns.
      nonisolated(unsafe) var upper = UnsafeMutableBufferPointer(rebasing: all[mid...])
      nonisolated(unsafe) let sharedLess = less
      let other = BackgroundTask { upper.sort(by: sharedLess.callAsFunction) }
      var lower = UnsafeMutableBufferPointer(rebasing: all[..<mid])
      lower.sort(by: less.callAsFunction)
      other.wait()
    }
    var merged: [Int] = []
    merged.reserveCapacity(n)
    var i = 0
    var j = mid
    // Ties take the lower half first, as a stable merge of the two sorted halves.
    while i < mid && j < n {
      if less(order[j], order[i]) {
        merged.append(order[j])
        j += 1
      } else {
        merged.append(order[i])
        i += 1
      }
    }
    merged.append(contentsOf: order[i..<mid])
    merged.append(contentsOf: order[j..<n])
    return merged
  }

  private func decodeLabel(_ reader: ProtoReader, sample: Int) throws(FormatError) -> Label {
    var r = reader
    var raw: (key: Int64, str: Int64, num: Int64, unit: Int64) = (0, 0, 0, 0)
    while !r.isAtEnd {
      let (field, wire) = try r.readTag()
      switch field {
      case 1: raw.key = try r.int64(field, wire, in: "Label")
      case 2: raw.str = try r.int64(field, wire, in: "Label")
      case 3: raw.num = try r.int64(field, wire, in: "Label")
      case 4: raw.unit = try r.int64(field, wire, in: "Label")
      default: try r.skip(wire)
      }
    }
    for s in [raw.key, raw.str, raw.unit] where s < 0 || s >= Int64(stringCount) {
      throw .invalidPprof(
        reason: "a label of sample \(sample) refers to string \(s), but the string table has \(stringCount) entries")
    }
    return Label(
      key: StringID(Int(raw.key)), string: StringID(Int(raw.str)), number: raw.num, numberUnit: StringID(Int(raw.unit)))
  }
}

/// The order `finish` visits samples in: lexicographic on the first `prefix` frames (root
/// first), then by a hash of the whole stack, then by depth. Reads buffers its caller owns.
struct StackOrder<F: FixedWidthInteger> {
  let frames: UnsafeBufferPointer<F>
  let starts: UnsafeBufferPointer<Int>
  let hashes: UnsafeBufferPointer<UInt64>
  let prefix: Int

  /// True when sample `a` comes before sample `b`.
  @inline(__always)
  func callAsFunction(_ a: Int, _ b: Int) -> Bool {
    let (sa, la, sb, lb) = (starts[a], starts[a + 1] - starts[a], starts[b], starts[b + 1] - starts[b])
    let common = min(la, lb, prefix)
    let i = PprofSampleDecoder.firstDifference(frames, sa, sb, limit: common)
    if i < common { return frames[sa + i] < frames[sb + i] }
    if la <= prefix || lb <= prefix { return la < lb }
    return hashes[a] != hashes[b] ? hashes[a] < hashes[b] : la < lb
  }
}

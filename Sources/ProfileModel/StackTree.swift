/// Call stacks stored as a prefix tree: each node is one frame plus its caller's node.
///
/// Node 0 is the root (the empty stack). A sample points at the node of its leaf frame,
/// so a million samples over ten thousand distinct stacks store ten thousand nodes,
/// and shared prefixes (`main → run → …`) are stored once. Both columns are packed
/// (`IDColumn`): a node takes the bytes its ids need (e.g. 4 for the parent of a tree past
/// 65,536 nodes and 2 for a location of a profile with fewer than 65,536), not 4 + 4.
public struct StackTree: Sendable {
  /// Parent (caller) of each node; the root is its own parent.
  public private(set) var parents = IDColumn<StackID>([.root])
  /// The frame of each node; the root's entry is 0 and meaningless.
  public private(set) var locations = IDColumn<LocationID>([LocationID(Int32(0))])
  private var children = ChildIndex()

  public init() {}

  /// A tree from its columns as a file holds them (index 0 the root, which is its own
  /// parent); nil unless every other node's parent is an earlier node. The lookup index is
  /// built only if interning resumes, so loading costs no hashing.
  public init?(parents: [StackID], locations: [LocationID]) {
    guard parents.count == locations.count, parents.first == .root else { return nil }
    for n in 1..<max(1, parents.count) {
      let p = parents[n].raw
      guard p >= 0, Int(p) < n else { return nil }
    }
    self.parents = IDColumn(parents)
    // The root's location is never read; 0 keeps it from widening the column (files write -1).
    self.locations = IDColumn(count: locations.count) { $0 == 0 ? LocationID(Int32(0)) : locations[$0] }
  }

  /// Number of nodes including the root.
  @inlinable public var count: Int { parents.count }

  /// The node for `location` called from `parent`, added when new.
  @inlinable
  public mutating func child(of parent: StackID, location: LocationID) -> StackID {
    let key = UInt64(UInt32(bitPattern: parent.raw)) << 32 | UInt64(UInt32(bitPattern: location.raw))
    ensureLookupIndex()
    if let node = lookupChild(key) { return node }
    return addChild(key: key, parent: parent, location: location)
  }

  /// Frees the (parent, location) → node index, which only interning needs; a finished
  /// profile keeps its nodes and loses nothing. The index is rebuilt if interning resumes.
  public mutating func dropLookupIndex() {
    children = ChildIndex()
  }

  @usableFromInline mutating func ensureLookupIndex() {
    guard children.count == 0, parents.count > 1 else { return }
    children.reserveCapacity(parents.count)
    for node in 1..<parents.count {
      let key = UInt64(UInt32(bitPattern: parents[node].raw)) << 32 | UInt64(UInt32(bitPattern: locations[node].raw))
      children.insertNew(key, Int32(node))
    }
  }

  @usableFromInline func lookupChild(_ key: UInt64) -> StackID? { children.find(key).map(StackID.init) }

  @usableFromInline
  mutating func addChild(key: UInt64, parent: StackID, location: LocationID) -> StackID {
    let node = StackID(parents.count)
    parents.append(parent)
    locations.append(location)
    children.insertNew(key, node.raw)
    return node
  }

  /// Appends a node the caller knows is not in the tree (a bulk loader visiting stacks in
  /// sorted order), without hashing: the lookup index is dropped, and rebuilt if interning resumes.
  public mutating func appendNew(parent: StackID, location: LocationID) -> StackID {
    if children.count > 0 { children = ChildIndex() }
    let node = StackID(parents.count)
    parents.append(parent)
    locations.append(location)
    return node
  }

  /// Appends a chain of nodes the caller knows are new: the first a child of `parent`, each next
  /// one a child of the one before, with `locations[i]` (location indices) as their frames; the
  /// first node. Like `appendNew` for a stack's new suffix at once, so each column checks its
  /// width once per chain, not per node.
  public mutating func appendChain(parent: StackID, locations: UnsafeBufferPointer<UInt16>) -> StackID {
    appendChainOf(parent: parent, locations: locations)
  }

  /// `appendChain` with four-byte location indices.
  public mutating func appendChain(parent: StackID, locations: UnsafeBufferPointer<Int32>) -> StackID {
    appendChainOf(parent: parent, locations: locations)
  }

  private mutating func appendChainOf<F: FixedWidthInteger>(
    parent: StackID, locations: UnsafeBufferPointer<F>
  ) -> StackID {
    if children.count > 0 { children = ChildIndex() }
    let first = StackID(parents.count)
    let n = locations.count
    guard n > 0 else { return first }
    parents.append(count: n, smallest: Swift.min(parent.raw, first.raw), largest: first.raw + Int32(n - 2)) {
      $0 == 0 ? parent : StackID(first.raw + Int32($0 - 1))
    }
    var smallest = Int32.max
    var largest = Int32.min
    for l in locations {
      let v = Int32(truncatingIfNeeded: l)
      smallest = Swift.min(smallest, v)
      largest = Swift.max(largest, v)
    }
    self.locations.append(count: n, smallest: smallest, largest: largest) {
      LocationID(Int32(truncatingIfNeeded: locations[$0]))
    }
    return first
  }

  /// Makes room for `n` more nodes in the columns only (a bulk loader appending with
  /// `appendNew`, which keeps no lookup index), so they grow and widen without copies on the way.
  public mutating func reserveNodes(_ n: Int) {
    parents.reserveCapacity(parents.count + n)
    locations.reserveCapacity(locations.count + n)
  }

  /// The (parent, location) key the lookup index uses.
  @inlinable public static func key(parent: StackID, location: LocationID) -> UInt64 {
    UInt64(UInt32(bitPattern: parent.raw)) << 32 | UInt64(UInt32(bitPattern: location.raw))
  }

  /// Drops the lookup index and re-stores both columns as narrowly as they allow, with no
  /// spare room (for a finished tree; interning may resume and rebuilds the index).
  public mutating func compact() {
    dropLookupIndex()
    parents.compact()
    locations.compact()
  }

  /// Makes room for `n` more nodes, so bulk loaders do not rehash on the way.
  public mutating func reserveCapacity(_ n: Int) {
    parents.reserveCapacity(parents.count + n)
    locations.reserveCapacity(locations.count + n)
    children.reserveCapacity(children.count + n)
  }

  /// The node for a whole stack given leaf first (pprof's order).
  public mutating func intern(leafFirst frames: [LocationID]) -> StackID {
    var node = StackID.root
    for location in frames.reversed() { node = child(of: node, location: location) }
    return node
  }

  /// The node for a whole stack given root first.
  public mutating func intern<S: Sequence>(rootFirst frames: S) -> StackID where S.Element == LocationID {
    var node = StackID.root
    for location in frames { node = child(of: node, location: location) }
    return node
  }

  /// The frames of `node`, leaf first.
  public func frames(leafFirst node: StackID) -> [LocationID] {
    var result: [LocationID] = []
    result.reserveCapacity(depth(of: node))
    var n = node
    while n != .root {
      result.append(locations[n.index])
      n = parents[n.index]
    }
    return result
  }

  /// Calls `body` with each frame of `node` from the leaf to the root.
  @inlinable
  public func forEachFrame(leafFirst node: StackID, _ body: (LocationID) throws -> Void) rethrows {
    var n = node
    while n != .root {
      try body(locations[n.index])
      n = parents[n.index]
    }
  }

  @inlinable public func parent(of node: StackID) -> StackID { parents[node.index] }
  @inlinable public func location(of node: StackID) -> LocationID { locations[node.index] }
  /// Number of frames from the root (the root has depth 0), counted by walking to it: depths
  /// are asked for rarely, and storing one per node cost a third of the tree's memory.
  @inlinable public func depth(of node: StackID) -> Int {
    var n = node
    var depth = 0
    while n != .root {
      depth += 1
      n = parents[n.index]
    }
    return depth
  }
}

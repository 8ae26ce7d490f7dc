import ProfileModel

/// Every location's visible frames mapped to report nodes for one granularity.
///
/// Each `Line` of a `Location` is a frame (inlined callees are frames of their own); `hide`
/// removes frames. Node identity follows pprof's `NodeInfo` after `Profile.Aggregate`:
/// what the granularity drops is blanked, then equal infos are one node.
struct FrameTable {
  /// Frames of location `l` are `nodes[start[l] ..< start[l + 1]]`, innermost first.
  var start: [Int32]
  var nodes: [Int32]
  /// The distinct nodes, indexed by the ids in `nodes`.
  var infos: [NodeInfo]
  /// The functions each node stands for (several when equal names are one node), sorted:
  /// the node's identity, where `infos` is only what is shown.
  var functions: [[FunctionID]]
  /// True when some location has more than one visible frame.
  var hasInlineFrames: Bool

  private struct Key: Hashable {
    var name: Int32, systemName: Int32, file: Int32, line: Int64, address: UInt64, object: Int32, startLine: Int64 = 0
  }

  /// `separateObjects` keys nodes also by the mapping's file and the function's start line,
  /// as pprof's `list` does (its `ObjNames` option).
  init(profile: Profile, granularity: Granularity, lineVisible: [[Bool]]?, separateObjects: Bool = false) {
    let strings = profile.strings
    // Equal strings may sit under two ids in a decoded string table: use the first id.
    var canonical: [Int32: Int32] = [:]
    func canon(_ id: StringID) -> Int32 {
      if id == .empty { return 0 }
      if let c = canonical[id.raw] { return c }
      let c = strings.lookup(strings[id])?.raw ?? id.raw
      canonical[id.raw] = c
      return c
    }
    var objectIDs: [String: Int32] = ["": 0]
    let mappingObject: [Int32] = profile.mappings.map { m in
      let base = baseName(strings[m.filename])
      if let id = objectIDs[base] { return id }
      let id = Int32(objectIDs.count)
      objectIDs[base] = id
      return id
    }
    var objectNames = [String](repeating: "", count: objectIDs.count)
    for (name, id) in objectIDs { objectNames[Int(id)] = name }

    // File names are cleaned as pprof does; equal cleaned names share one key.
    var cleanedIDs: [String: Int32] = [:]
    var cleanedOf: [Int32: (id: Int32, path: String)] = [:]
    func cleanedFile(_ id: StringID) -> (id: Int32, path: String) {
      if id == .empty { return (0, "") }
      if let hit = cleanedOf[id.raw] { return hit }
      let raw = strings[id]
      let path = raw.isEmpty ? "" : cleanPath(raw)
      let cid: Int32
      if path.isEmpty {
        cid = 0
      } else if let known = cleanedIDs[path] {
        cid = known
      } else {
        cid = Int32(cleanedIDs.count + 1)
        cleanedIDs[path] = cid
      }
      cleanedOf[id.raw] = (cid, path)
      return (cid, path)
    }
    var index: [Key: Int32] = [:]
    var infos: [NodeInfo] = []
    var functions: [[FunctionID]] = []
    var start: [Int32] = []
    var nodes: [Int32] = []
    start.reserveCapacity(profile.locations.count + 1)
    nodes.reserveCapacity(profile.locations.count)
    var inline = false
    let keepFunction = granularity != .files
    let keepFile = granularity != .functions
    let keepLine = granularity == .lines || granularity == .addresses
    let keepAddress = granularity == .addresses

    for (li, loc) in profile.locations.enumerated() {
      start.append(Int32(nodes.count))
      let visible = lineVisible?[li]
      let object = loc.mapping.map { mappingObject[$0.index] } ?? 0
      let address = keepAddress ? loc.address : 0
      var added = 0
      if loc.lines.isEmpty {
        if visible?.first == false { continue }
        let key = Key(name: -1, systemName: -1, file: -1, line: 0, address: address, object: object)
        nodes.append(
          Self.node(key, &index, &infos) {
            NodeInfo(address: address, objectFile: objectNames[Int(object)])
          })
        if functions.count < infos.count { functions.append([]) }
        continue
      }
      for (i, line) in loc.lines.enumerated() {
        if let visible, !visible[i] { continue }
        let f = profile.functions[line.function.index]
        let file: (id: Int32, path: String) = keepFile ? cleanedFile(f.filename) : (0, "")
        let key = Key(
          name: keepFunction ? canon(f.name) : 0, systemName: 0,
          file: file.id, line: keepLine ? line.line : 0, address: address,
          object: separateObjects ? object : 0, startLine: separateObjects ? f.startLine : 0)
        nodes.append(
          Self.node(key, &index, &infos) {
            NodeInfo(
              name: keepFunction ? strings[f.name] : "", systemName: keepFunction ? strings[f.systemName] : "",
              file: file.path, line: keepLine ? line.line : 0,
              startLine: f.startLine, address: address, objectFile: separateObjects ? objectNames[Int(object)] : "")
          })
        let node = Int(nodes[nodes.count - 1])
        if functions.count < infos.count { functions.append([]) }
        if keepFunction, !functions[node].contains(line.function) { functions[node].append(line.function) }
        added += 1
      }
      if added > 1 { inline = true }
    }
    start.append(Int32(nodes.count))
    self.start = start
    self.nodes = nodes
    self.infos = infos
    self.functions = functions.map { $0.sorted() }
    self.hasInlineFrames = inline
  }

  private static func node(
    _ key: Key, _ index: inout [Key: Int32], _ infos: inout [NodeInfo], _ make: () -> NodeInfo
  ) -> Int32 {
    if let id = index[key] { return id }
    let id = Int32(infos.count)
    index[key] = id
    infos.append(make())
    return id
  }
}

/// The last path component, as Go's `filepath.Base` for non-empty paths.
func baseName(_ path: String) -> String {
  if path.isEmpty { return "" }
  var trimmed = Substring(path)
  while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
  if let slash = trimmed.lastIndex(of: "/"), trimmed != "/" {
    return String(trimmed[trimmed.index(after: slash)...])
  }
  return String(trimmed)
}

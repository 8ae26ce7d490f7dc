/// pprof's node orders (`graph.Nodes.Sort`): by |flat| or |cum| descending, then by printable
/// name, then by the other value, then by the remaining node fields so the order is total.
enum NodeOrder {
  /// Indices of `nodes` sorted; `names[i]` is `nodes[i].info.printableName`.
  static func sorted(_ nodes: [GraphNode], names: [String], byCum: Bool) -> [Int] {
    let utf8Names = names.map { Array($0.utf8) }
    return nodes.indices.sorted { a, b in
      let l = nodes[a]
      let r = nodes[b]
      let (lp, rp) = byCum ? (abs(l.cum), abs(r.cum)) : (abs(l.flat), abs(r.flat))
      if lp != rp { return lp > rp }
      if utf8Names[a] != utf8Names[b] { return utf8Names[a].lexicographicallyPrecedes(utf8Names[b]) }
      let (ls, rs) = byCum ? (abs(l.flat), abs(r.flat)) : (abs(l.cum), abs(r.cum))
      if ls != rs { return ls > rs }
      return tieBreak(l.info, r.info)
    }
  }

  /// A fixed order between two different infos with the same printable name.
  static func tieBreak(_ l: NodeInfo, _ r: NodeInfo) -> Bool {
    if l.name != r.name { return l.name.utf8.lexicographicallyPrecedes(r.name.utf8) }
    if l.systemName != r.systemName { return l.systemName.utf8.lexicographicallyPrecedes(r.systemName.utf8) }
    if l.address != r.address { return l.address < r.address }
    if l.file != r.file { return l.file.utf8.lexicographicallyPrecedes(r.file.utf8) }
    if l.startLine != r.startLine { return l.startLine < r.startLine }
    if l.line != r.line { return l.line < r.line }
    return l.objectFile.utf8.lexicographicallyPrecedes(r.objectFile.utf8)
  }

  /// pprof's edge order: |weight| descending, then caller name, then callee name.
  static func edgeLess(_ a: (weight: Int64, from: String, to: String), _ b: (weight: Int64, from: String, to: String))
    -> Bool
  {
    if a.weight != b.weight { return abs(a.weight) > abs(b.weight) }
    if a.from != b.from { return a.from.utf8.lexicographicallyPrecedes(b.from.utf8) }
    return a.to.utf8.lexicographicallyPrecedes(b.to.utf8)
  }
}

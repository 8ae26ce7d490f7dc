/// The lines `info` shows about DWARF unwinding: complete vs truncated stacks per binary.
struct UnwindReport {
  var counts: [String: DWARFUnwinder.BinaryCounts]
  var truncations: [DWARFUnwinder.Truncation: Int]

  /// Most binaries listed by name; the rest are summed up.
  static let listedBinaries = 8

  func lines() -> [String] {
    guard !counts.isEmpty else { return [] }
    let complete = counts.values.reduce(0) { $0 + $1.complete }
    let truncated = counts.values.reduce(0) { $0 + $1.truncated }
    var out = ["unwound stacks: \(complete) complete (reached the thread start), \(truncated) truncated"]
    let ranked = counts.sorted { a, b in
      let x = a.value.complete + a.value.truncated
      let y = b.value.complete + b.value.truncated
      return x != y ? x > y : a.key < b.key
    }
    for (path, c) in ranked.prefix(Self.listedBinaries) {
      let name = path.split(separator: "/").last.map(String.init) ?? path
      out.append("  \(name): \(c.complete) complete, \(c.truncated) truncated")
    }
    if ranked.count > Self.listedBinaries {
      let rest = ranked.dropFirst(Self.listedBinaries)
      let rc = rest.reduce(0) { $0 + $1.value.complete }
      let rt = rest.reduce(0) { $0 + $1.value.truncated }
      out.append("  \(rest.count) more binaries: \(rc) complete, \(rt) truncated")
    }
    if !truncations.isEmpty {
      let reasons = DWARFUnwinder.Truncation.allCases.compactMap { t in truncations[t].map { "\($0) \(t.rawValue)" } }
      out.append("  truncated because: " + reasons.joined(separator: ", "))
    }
    return out
  }
}

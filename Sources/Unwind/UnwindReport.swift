/// The lines `info` shows about stack-copy unwinding: complete vs truncated stacks, which
/// method completed them, and per binary the method its frames got and its stack counts.
struct UnwindReport {
  var counts: [String: DWARFUnwinder.BinaryCounts]
  var truncations: [DWARFUnwinder.Truncation: Int]
  var completedBy = DWARFUnwinder.MethodCounts()
  var uprobes = DWARFUnwinder.UprobeCounts()

  /// Most binaries listed by name; the rest are summed up.
  static let listedBinaries = 8

  func lines() -> [String] {
    guard !counts.isEmpty else { return [] }
    let complete = counts.values.reduce(0) { $0 + $1.complete }
    let truncated = counts.values.reduce(0) { $0 + $1.truncated }
    var out = ["unwound stacks: \(complete) complete (reached the thread start), \(truncated) truncated"]
    if complete > 0 {
      let c = completedBy
      out.append("  completed with: CFI \(c.cfi), frame pointers \(c.framePointer), CFI and frame pointers \(c.mixed)")
    }
    let ranked = counts.sorted { a, b in
      let x = a.value.complete + a.value.truncated
      let y = b.value.complete + b.value.truncated
      if x != y { return x > y }
      let fx = a.value.cfiFrames + a.value.framePointerFrames
      let fy = b.value.cfiFrames + b.value.framePointerFrames
      return fx != fy ? fx > fy : a.key < b.key
    }
    for (path, c) in ranked.prefix(Self.listedBinaries) {
      let name = path.split(separator: "/").last.map(String.init) ?? path
      out.append("  \(name): \(Self.method(c))\(c.complete) complete, \(c.truncated) truncated")
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
    let u = uprobes
    if u.trampolinesRestored + u.trampolinesLeft + u.slotFrames + u.trapFrames > 0 {
      out.append(
        "  uprobes: \(u.trampolinesRestored) return addresses restored from uretprobe trampolines (\(u.trampolinesLeft) not: "
          + "their caller is skipped), \(u.slotFrames) samples in single-step slots, \(u.trapFrames) at a probe's trap")
    }
    return out
  }

  /// "CFI, ", "frame pointers, ", "CFI + frame pointers (12% of frames), " or "" (no frame stepped).
  static func method(_ c: DWARFUnwinder.BinaryCounts) -> String {
    switch (c.cfiFrames, c.framePointerFrames) {
    case (0, 0): return ""
    case (_, 0): return "CFI, "
    case (0, _): return "frame pointers, "
    case (let cfi, let fp):
      let share = Int((Double(fp) * 100 / Double(cfi + fp)).rounded())
      return "CFI + frame pointers (\(share)% of frames), "
    }
  }
}

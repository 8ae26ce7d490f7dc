import ProfileModel

/// Writes a profile as folded stacks: one `root;…;leaf COUNT` line per distinct stack.
///
/// Each frame is written as its function names, inlined callees after their callers
/// (innermost last, root-first order); a location without lines is written as its
/// address in hex. Stacks that print the same are merged, lines are sorted, and
/// stacks whose total is zero are left out. Names that would forge frames, lines or counts on
/// reload (`;`, line breaks, control bytes, edge spaces, empty names) make the writer switch to
/// `FoldedNameEscaping`: the file then starts with its header and such bytes are written `%XX`.
public enum FoldedStacksWriter {
  /// The folded text of `profile`, using value column `column` (default: the profile's default).
  public static func write(_ profile: Profile, column: Int? = nil) -> String {
    let col = column ?? profile.defaultValueIndex
    guard profile.sampleTypes.indices.contains(col) else { return "" }

    // One pass over samples: totals per stack node.
    var totals = [Int64](repeating: 0, count: profile.stacks.count)
    let samples = profile.samples
    for i in 0..<samples.count {
      totals[samples.stacks[i].index] &+= samples.value(i, col)
    }

    let escaped = profile.locations.contains { location in
      location.lines.contains { FoldedNameEscaping.needsEscaping(profile.name(of: $0.function)) }
    }
    var frameText = [String?](repeating: nil, count: profile.locations.count)
    var merged: [String: Int64] = [:]
    var frames: [LocationID] = []
    for (node, total) in totals.enumerated() where total != 0 && node != StackID.root.index {
      frames.removeAll(keepingCapacity: true)
      profile.stacks.forEachFrame(leafFirst: StackID(node)) { frames.append($0) }
      var line = ""
      for loc in frames.reversed() {
        if !line.isEmpty { line += ";" }
        if let text = frameText[loc.index] {
          line += text
        } else {
          let text = self.frameText(profile, profile.locations[loc.index], escaped: escaped)
          frameText[loc.index] = text
          line += text
        }
      }
      merged[line, default: 0] &+= total
    }
    var out = escaped ? FoldedNameEscaping.header + "\n" : ""
    for key in merged.keys.sorted() {
      guard let value = merged[key], value != 0 else { continue }
      out += key
      out += " "
      out += String(value)
      out += "\n"
    }
    return out
  }

  private static func frameText(_ profile: Profile, _ location: Location, escaped: Bool) -> String {
    if location.lines.isEmpty { return "0x" + String(location.address, radix: 16) }
    return location.lines.reversed().map { line in
      let name = profile.name(of: line.function)
      return escaped ? FoldedNameEscaping.escape(name) : name
    }.joined(separator: ";")
  }
}

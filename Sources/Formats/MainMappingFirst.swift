import ProfileModel

/// Puts the profiled program's own executable first among the mappings, as pprof expects:
/// `go tool pprof` prints the first mapping as `File:`, and a capture meets the dynamic
/// loader or the kernel before the program.
public enum MainMappingFirst {
  /// `profile` with its main mapping moved to the front and every location's mapping id
  /// renumbered; unchanged when no mapping looks like the main executable or it is first.
  public static func reorder(_ profile: Profile) -> Profile {
    guard let main = mainMappingIndex(profile), main != 0 else { return profile }
    var p = profile
    let moved = p.mappings.remove(at: main)
    p.mappings.insert(moved, at: 0)
    for i in p.locations.indices {
      guard let m = p.locations[i].mapping, m.raw >= 0 else { continue }
      let old = m.index
      let new = old == main ? 0 : old < main ? old + 1 : old
      p.locations[i].mapping = MappingID(new)
    }
    return p
  }

  /// The mapping of the run's executable (by base name of the command's first word), else
  /// the first mapping of a file that is not a shared library, the loader, the kernel or vDSO.
  static func mainMappingIndex(_ p: Profile) -> Int? {
    let names = p.mappings.map { p.strings[$0.filename] }
    if let program = p.run.command?.first {
      let base = baseName(program)
      if let i = names.firstIndex(where: { !$0.isEmpty && baseName($0) == base }) { return i }
    }
    return names.firstIndex { name in
      let base = baseName(name)
      return name.hasPrefix("/") && !name.hasPrefix("/tmp/perf-") && !base.contains(".so")
        && !base.hasPrefix("ld-linux") && !name.hasPrefix("[")
    }
  }

  private static func baseName(_ path: String) -> String {
    var p = Substring(path)
    if p.hasSuffix(" (deleted)") { p = p.dropLast(10) }
    if let slash = p.lastIndex(of: "/") { return String(p[p.index(after: slash)...]) }
    return String(p)
  }
}

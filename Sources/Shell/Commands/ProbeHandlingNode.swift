import ProfileModel

/// The sampled side of a traced run, made readable: the frames of handling a probe (the
/// kernel's uprobe trap, single step and return trampoline, and a leaf in the `[uprobes]`
/// page's out-of-line slots or trampoline) become one `[probe handling]` frame under the user
/// frame where the probe hit (the probed function for an entry probe), so its cost is one
/// node in top, tree and the flame graph; `ignore '^\[probe handling\]$'` subtracts it.
enum ProbeHandlingNode {
  /// The node's function name.
  static let name = "[probe handling]"
  /// The pattern that subtracts the node (`ignore`), as the help and notes quote it.
  static let ignorePattern = #"'^\[probe handling\]$'"#

  /// Rewrites `profile`'s samples as described above and returns how many samples changed.
  @discardableResult
  static func collapse(_ profile: inout Profile) -> Int {
    let kind = frameKinds(profile)
    guard kind.contains(where: { $0 == .probeKernel || $0 == .uprobesPage }) else { return 0 }
    var nodeLocation: LocationID?
    return StackRewrite.apply(to: &profile) { profile, frames in
      let firstUser = frames.firstIndex { kind[$0.index] != .probeKernel && kind[$0.index] != .kernel }
      let kernelPart = frames[..<(firstUser ?? frames.count)]
      let leafInPage = firstUser.map { kind[frames[$0].index] == .uprobesPage } ?? false
      guard leafInPage || kernelPart.contains(where: { kind[$0.index] == .probeKernel }) else { return nil }
      let keptFrom = min((firstUser ?? frames.count) + (leafInPage ? 1 : 0), frames.count)
      let location = nodeLocation ?? makeLocation(&profile)
      nodeLocation = location
      return [location] + frames[keptFrom...]
    }
  }

  /// Collapses the node in a traced run's `profile` and says in its notes how many samples it holds.
  static func note(collapsing profile: inout Profile) {
    let changed = collapse(&profile)
    guard changed > 0, let i = profile.functions.indices.last(where: { profile.name(of: FunctionID($0)) == name })
    else { return }
    let column = profile.defaultValueIndex
    var inNode: Int64 = 0
    for s in 0..<profile.samples.count
    where profile.stacks.frames(leafFirst: profile.samples.stacks[s]).first.map({
      profile.location($0).lines.first?.function.index == i
    }) == true {
      inNode += profile.samples.value(s, column)
    }
    let total = profile.total(column: column)
    let share = total > 0 ? Int((Double(inNode) * 100 / Double(total)).rounded()) : 0
    profile.run.notes.append(
      "probe handling (the kernel's uprobe trap, single step and return trampoline): \(share)% of the samples, "
        + "one \(name) node under the frame where the probe hit; ignore \(ignorePattern) subtracts it")
  }

  /// What a location is, for `collapse`.
  enum FrameKind: Equatable {
    case user
    case kernel
    case probeKernel
    case uprobesPage
  }

  /// The kind of every location of `profile`, by index.
  static func frameKinds(_ profile: Profile) -> [FrameKind] {
    profile.locations.map { location in
      let file = location.mapping.map { profile.string(profile.mapping($0).filename) } ?? ""
      if file == "[uprobes]" { return .uprobesPage }
      guard file.hasPrefix("[kernel") else { return .user }
      let probe = location.lines.contains { TraceCostEstimate.isProbeHandling(profile.name(of: $0.function)) }
      return probe ? .probeKernel : .kernel
    }
  }

  private static func makeLocation(_ profile: inout Profile) -> LocationID {
    let name = profile.strings.intern(Self.name)
    let function = FunctionID(profile.functions.count)
    profile.functions.append(Function(name: name, systemName: name, filename: .empty))
    let id = LocationID(profile.locations.count)
    profile.locations.append(Location(lines: [Line(function: function)]))
    return id
  }
}

import ProfileModel

/// pprof's `-tagroot`: prepends one pseudo-frame per label key to every sample's stack
/// (`thread:worker-alpha`, `pid:4242`), so `top`, `tree` and `peek` group by thread, process
/// or tid. A sample without the label keeps its stack.
public enum TagRoots {
  /// `profile` with a root frame `KEY:VALUE` for each of `keys` (outermost first).
  public static func apply(keys: [String], to profile: Profile) -> Profile {
    if keys.isEmpty { return profile }
    var p = profile
    var pseudo: [String: LocationID] = [:]
    func location(_ name: String) -> LocationID {
      if let id = pseudo[name] { return id }
      let s = p.strings.intern(name)
      let f = FunctionID(p.functions.count)
      p.functions.append(Function(name: s, systemName: s, filename: .empty, startLine: 0))
      let id = LocationID(p.locations.count)
      p.locations.append(Location(address: 0, mapping: nil, lines: [Line(function: f)]))
      pseudo[name] = id
      return id
    }
    // The root frames of each label set, made once.
    var rootsOfSet: [[LocationID]] = []
    rootsOfSet.reserveCapacity(p.labelSets.count)
    for set in 0..<p.labelSets.count {
      let labels = p.labelSets[LabelSetID(set)]
      var roots: [LocationID] = []
      for key in keys {
        guard let label = labels.first(where: { p.strings[$0.key] == key }) else { continue }
        let value = label.string != .empty ? p.strings[label.string] : String(label.number)
        roots.append(location("\(key):\(value)"))
      }
      rootsOfSet.append(roots)
    }
    var samples = SampleTable(width: p.samples.width)
    var restacked: [RestackKey: StackID] = [:]
    for i in 0..<p.samples.count {
      let set = p.samples.labelSets[i]
      let stack = p.samples.stacks[i]
      let roots = rootsOfSet[set.index]
      var newStack = stack
      if !roots.isEmpty {
        let key = RestackKey(stack: stack, set: set)
        if let known = restacked[key] {
          newStack = known
        } else {
          newStack = p.stacks.intern(rootFirst: roots + p.stacks.frames(leafFirst: stack).reversed())
          restacked[key] = newStack
        }
      }
      samples.append(stack: newStack, values: p.samples.values(of: i), labels: set)
    }
    p.samples = samples
    return p
  }

  private struct RestackKey: Hashable {
    var stack: StackID
    var set: LabelSetID
  }
}

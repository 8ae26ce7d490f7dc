import ProfileModel

/// How function names are shown: pprof's simple form (the default) or the full demangled name.
public enum NameStyle: String, Sendable, CaseIterable {
  /// No return types, parameter lists or template arguments (`NameSimplifier`).
  case simple
  /// The demangler's full output.
  case full
}

/// The per-command view of a profile: which names to show and whether inlined frames are
/// charged to the function they were inlined into (pprof's `-noinlines`).
public struct ProfileView: Sendable {
  /// Simple or full names.
  public var names: NameStyle
  /// Keep only the outermost (real) frame of each location.
  public var noInlines: Bool
  /// End kernel functions' names with ` [k]` (as perf marks them), so text output tells
  /// kernel from user code and `hide --kernel` can match them.
  public var markKernel: Bool

  /// pprof's `-tagfocus`: keep only samples with a matching label.
  public var tagFocus: TagFilter?
  /// pprof's `-tagignore`: drop samples with a matching label.
  public var tagIgnore: TagFilter?
  /// pprof's `-tagroot`: label keys whose values become root frames (`thread:main`).
  public var tagRoot: [String] = []
  /// Keep off-CPU time nobody on the critical threads waited for (`--all-threads`); by
  /// default it is hidden (`UnwaitedTime`).
  public var allThreads = false

  /// The suffix kernel functions get.
  public static let kernelMark = " [k]"
  /// A `hide` expression that removes every kernel frame (its time goes to the user caller).
  public static let kernelPattern = "\\[k\\]$"

  /// A view; the defaults show simple names, inline frames and `[k]` marks.
  public init(
    names: NameStyle = .simple, noInlines: Bool = false, markKernel: Bool = true, tagFocus: TagFilter? = nil,
    tagIgnore: TagFilter? = nil
  ) {
    self.names = names
    self.noInlines = noInlines
    self.markKernel = markKernel
    self.tagFocus = tagFocus
    self.tagIgnore = tagIgnore
  }

  /// `profile` as this view shows it. With simple names, two functions whose simple names
  /// would be equal keep their full names, so no two different functions look identical.
  public func apply(to profile: Profile) -> Profile {
    apply(toAll: [profile]).first ?? profile
  }

  /// Several profiles shown side by side (`compare`): names are simplified over all of them
  /// together, so one function has one name on every side and two never share one.
  public func apply(toAll profiles: [Profile]) -> [Profile] {
    var result = profiles.map { profile in
      let base = allThreads ? profile : UnwaitedTime.hidden(from: profile)
      var p = TagRoots.apply(keys: tagRoot, to: TagFilter.apply(focus: tagFocus, ignore: tagIgnore, to: base))
      if noInlines {
        for i in p.locations.indices where p.locations.lines(i).count > 1 {
          if let outer = p.locations.lines(i).last { p.locations.setLines(i, [outer]) }
        }
      }
      return p
    }
    if names == .simple { ProfileView.simplifyNames(&result) }
    if markKernel {
      for i in result.indices { ProfileView.markKernel(&result[i], ProfileView.kernelFunctions(profiles[i])) }
    }
    return result
  }

  /// Appends `kernelMark` to the names of `kernel` functions.
  static func markKernel(_ p: inout Profile, _ kernel: Set<FunctionID>) {
    if !kernel.isEmpty {
      var marked: [StringID: StringID] = [:]
      for f in kernel.sorted(by: { $0.raw < $1.raw }) where f.index < p.functions.count {
        let old = p.functions[f.index].name
        if let id = marked[old] {
          p.functions[f.index].name = id
        } else {
          let id = p.strings.intern(p.strings[old] + ProfileView.kernelMark)
          marked[old] = id
          p.functions[f.index].name = id
        }
      }
    }
  }

  /// Functions named by kernel-half addresses (x86-64) or `[kernel.kallsyms]` mappings.
  static func kernelFunctions(_ profile: Profile) -> Set<FunctionID> {
    var kernelMappings = Set<Int>()
    for (i, m) in profile.mappings.enumerated() {
      let name = profile.strings[m.filename]
      if name.hasPrefix("[kernel.kallsyms]") || name == "[kernel]" { kernelMappings.insert(i) }
    }
    var result = Set<FunctionID>()
    for loc in profile.locations {
      let inKernelMapping = loc.mapping.map { $0.raw >= 0 && kernelMappings.contains($0.index) } ?? false
      guard inKernelMapping || loc.address >= 0xffff_8000_0000_0000 else { continue }
      for line in loc.lines { result.insert(line.function) }
    }
    return result
  }

  /// Replaces each function's display name by its simple form. Functions whose forms are
  /// equal but whose full names differ step up to longer forms (template arguments, then
  /// parameters, then the full name) until every displayed name stands for one full name.
  static func simplifyNames(_ profiles: inout [Profile]) {
    // Distinct full names by number, with their raw names and the forms made so far
    // (longer forms only for names that clash).
    var fulls: [String] = []
    var raws: [String] = []
    var number: [String: Int] = [:]
    var numbers: [[Int32]] = []  // per profile: the number of each function's name
    for p in profiles {
      var byID: [StringID: Int32] = [:]
      numbers.append(
        p.functions.map { f in
          if let n = byID[f.name] { return n }
          let full = p.strings[f.name]
          let n: Int
          if let known = number[full] {
            n = known
          } else {
            n = fulls.count
            number[full] = n
            fulls.append(full)
            raws.append(p.strings[f.systemName])
          }
          byID[f.name] = Int32(n)
          return Int32(n)
        })
    }
    var level = [Int](repeating: 0, count: fulls.count)
    let counts = raws.map { NameSimplifier.formCount(systemName: $0) }
    var computed = [[Int: String]](repeating: [:], count: fulls.count)
    func shown(_ n: Int) -> String {
      if counts[n] == 1 { return fulls[n] }
      if let hit = computed[n][level[n]] { return hit }
      let text = NameSimplifier.form(level[n], name: fulls[n], systemName: raws[n])
      computed[n][level[n]] = text
      return text
    }
    // Each round lengthens every clashing name by one step; the full names are distinct, so
    // this ends after at most as many rounds as there are forms.
    var shownNames = (0..<fulls.count).map(shown)
    for _ in 0..<8 {
      var byShown: [String: [Int]] = [:]
      for n in fulls.indices { byShown[shownNames[n], default: []].append(n) }
      var changed = false
      for (_, group) in byShown where group.count > 1 {
        for n in group where level[n] < counts[n] - 1 {
          level[n] += 1
          shownNames[n] = shown(n)
          changed = true
        }
      }
      if !changed { break }
    }
    for k in profiles.indices {
      var interned: [Int32: StringID] = [:]
      for i in profiles[k].functions.indices {
        let n = numbers[k][i]
        if let id = interned[n] {
          profiles[k].functions[i].name = id
          continue
        }
        let display = shownNames[Int(n)]
        let id = display == fulls[Int(n)] ? profiles[k].functions[i].name : profiles[k].strings.intern(display)
        interned[n] = id
        profiles[k].functions[i].name = id
      }
    }
  }
}

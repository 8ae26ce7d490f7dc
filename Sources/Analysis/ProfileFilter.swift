import ProfileModel

/// pprof's view filters: `focus` keeps samples with a frame matching, `ignore` drops samples
/// with a frame matching, `hide` removes matching frames from the stacks.
///
/// A frame matches when its function name, its function's file name or its mapping's file
/// matches, as pprof's `Location.matchesName`.
public struct ProfileFilter: Sendable {
  /// Keep only samples with a frame matching this.
  public var focus: NameMatcher?
  /// Drop samples with a frame matching this.
  public var ignore: NameMatcher?
  /// Remove frames matching this from every stack.
  public var hide: NameMatcher?

  /// No filtering.
  public static let none = ProfileFilter()

  /// A filter from compiled matchers.
  public init(focus: NameMatcher? = nil, ignore: NameMatcher? = nil, hide: NameMatcher? = nil) {
    self.focus = focus
    self.ignore = ignore
    self.hide = hide
  }

  /// Compiles the given patterns; nil or empty patterns are left unset.
  public init(focus: String?, ignore: String? = nil, hide: String? = nil) throws(AnalysisError) {
    func compile(_ p: String?, _ option: String) throws(AnalysisError) -> NameMatcher? {
      guard let p, !p.isEmpty else { return nil }
      return try NameMatcher(p, option: option)
    }
    self.focus = try compile(focus, "focus")
    self.ignore = try compile(ignore, "ignore")
    self.hide = try compile(hide, "hide")
  }

  /// True when any of the three filters is set.
  public var isActive: Bool { focus != nil || ignore != nil || hide != nil }

  /// pprof's `Active filters:` block (empty when no filter is set).
  public var descriptionLines: [String] {
    var lines: [String] = []
    if let focus { lines.append("   focus=\(focus.pattern)") }
    if let ignore { lines.append("   ignore=\(ignore.pattern)") }
    if let hide { lines.append("   hide=\(hide.pattern)") }
    return lines.isEmpty ? [] : ["Active filters:"] + lines
  }
}

/// The filter evaluated once per location: which locations focus or ignore a sample and which
/// lines of each location stay visible after `hide`.
struct LocationFilterMasks {
  /// Location matches the focus expression (false when there is none).
  var focus: [Bool]
  /// Location matches the ignore expression.
  var ignore: [Bool]
  /// Per location, per line (innermost first): the line survives `hide`.
  var lineVisible: [[Bool]]?

  init(profile: Profile, filter: ProfileFilter) {
    let nLoc = profile.locations.count
    func functionMask(_ m: NameMatcher?) -> [Bool]? {
      guard let m else { return nil }
      // Names are matched once per distinct string, then per function.
      var cache: [StringID: Bool] = [:]
      func test(_ id: StringID) -> Bool {
        if let hit = cache[id] { return hit }
        let r = m.matches(profile.strings[id])
        cache[id] = r
        return r
      }
      return profile.functions.map { test($0.name) || test($0.filename) }
    }
    func mappingMask(_ m: NameMatcher?) -> [Bool]? {
      guard let m else { return nil }
      return profile.mappings.map { m.matches(profile.strings[$0.filename]) }
    }
    func locationMask(_ fn: [Bool]?, _ mp: [Bool]?) -> [Bool] {
      guard let fn, let mp else { return [Bool](repeating: false, count: nLoc) }
      return profile.locations.map { loc in
        if let m = loc.mapping, mp[m.index] { return true }
        return loc.lines.contains { fn[$0.function.index] }
      }
    }
    let focusFn = functionMask(filter.focus)
    let ignoreFn = functionMask(filter.ignore)
    focus = locationMask(focusFn, mappingMask(filter.focus))
    ignore = locationMask(ignoreFn, mappingMask(filter.ignore))
    if let hideFn = functionMask(filter.hide), let hideMp = mappingMask(filter.hide) {
      lineVisible = profile.locations.map { loc in
        if let m = loc.mapping, hideMp[m.index] { return [Bool](repeating: false, count: max(1, loc.lines.count)) }
        if loc.lines.isEmpty { return [true] }
        return loc.lines.map { !hideFn[$0.function.index] }
      }
    } else {
      lineVisible = nil
    }
  }
}

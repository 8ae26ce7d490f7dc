/// Builds a `Profile` by content: the same function, mapping or location added twice gets
/// one handle, so sources (folded stacks, the sampler, tests) need not track ids.
public struct ProfileBuilder: Sendable {
  public private(set) var profile: Profile
  private var functionIndex: [Function: FunctionID] = [:]
  private var mappingIndex: [Mapping: MappingID] = [:]
  private var locationIndex: [Location: LocationID] = [:]

  public init(sampleTypes: [ValueType]) {
    profile = Profile(sampleTypes: sampleTypes)
  }

  /// Continues building on an existing profile (its tables are indexed first).
  public init(_ existing: Profile) {
    profile = existing
    for (i, f) in existing.functions.enumerated() where functionIndex[f] == nil { functionIndex[f] = FunctionID(i) }
    for (i, m) in existing.mappings.enumerated() where mappingIndex[m] == nil { mappingIndex[m] = MappingID(i) }
    for (i, l) in existing.locations.enumerated() where locationIndex[l] == nil { locationIndex[l] = LocationID(i) }
  }

  @discardableResult
  public mutating func intern(_ s: String) -> StringID { profile.strings.intern(s) }

  /// The function with these names, added when new. `systemName` defaults to `name`.
  public mutating func function(
    _ name: String, systemName: String? = nil, file: String = "", startLine: Int64 = 0
  ) -> FunctionID {
    let f = Function(
      name: intern(name), systemName: intern(systemName ?? name), filename: intern(file), startLine: startLine)
    return function(f)
  }

  /// The handle of `f`, added when new.
  public mutating func function(_ f: Function) -> FunctionID {
    if let id = functionIndex[f] { return id }
    let id = FunctionID(profile.functions.count)
    profile.functions.append(f)
    functionIndex[f] = id
    return id
  }

  /// The handle of `m`, added when new.
  public mutating func mapping(_ m: Mapping) -> MappingID {
    if let id = mappingIndex[m] { return id }
    let id = MappingID(profile.mappings.count)
    profile.mappings.append(m)
    mappingIndex[m] = id
    return id
  }

  /// The handle of `l`, added when new.
  public mutating func location(_ l: Location) -> LocationID {
    if let id = locationIndex[l] { return id }
    let id = LocationID(profile.locations.count)
    profile.locations.append(l)
    locationIndex[l] = id
    return id
  }

  /// A location with no address that stands for one line of one function.
  public mutating func location(function: FunctionID, line: Int64 = 0) -> LocationID {
    location(Location(lines: [Line(function: function, line: line)]))
  }

  /// Appends a sample whose stack is given leaf first.
  public mutating func addSample(leafFirst frames: [LocationID], values: [Int64], labels: [Label] = []) {
    let stack = profile.stacks.intern(leafFirst: frames)
    addSample(stack: stack, values: values, labels: labels)
  }

  /// Appends a sample on an already-interned stack node.
  public mutating func addSample(stack: StackID, values: [Int64], labels: [Label] = []) {
    let set = labels.isEmpty ? LabelSetID.none : profile.labelSets.intern(labels)
    profile.samples.append(stack: stack, values: values, labels: set)
  }

  /// Appends a sample whose stack is a list of function names, root first
  /// (as folded stacks write them). Each frame becomes a location with no address.
  public mutating func addSample(rootFirstNames names: [String], values: [Int64], labels: [Label] = []) {
    var node = StackID.root
    for name in names {
      let loc = location(function: function(name))
      node = profile.stacks.child(of: node, location: loc)
    }
    addSample(stack: node, values: values, labels: labels)
  }

  /// Direct access for sources that need to set metadata (period, duration, run info).
  public mutating func withProfile<R>(_ body: (inout Profile) throws -> R) rethrows -> R {
    try body(&profile)
  }

  /// The finished profile.
  public func build() -> Profile { profile }
}

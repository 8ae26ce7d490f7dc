import ProfileModel

/// Adds functions to a profile without duplicating existing ones, demangling each raw name
/// once: the Symbolizer's bridge into ProfileModel.
struct FunctionInterner {
  private var index: [Function: FunctionID] = [:]

  /// Indexes the functions `profile` already has.
  init(_ profile: Profile) {
    index.reserveCapacity(profile.functions.count)
    for (i, f) in profile.functions.enumerated() where index[f] == nil { index[f] = FunctionID(i) }
  }

  /// The function named `name` (display) / `systemName` (raw) in `file`, added when new.
  mutating func function(
    name: String, systemName: String, file: String, startLine: Int64, in profile: inout Profile
  ) -> FunctionID {
    let f = Function(
      name: profile.strings.intern(name), systemName: profile.strings.intern(systemName),
      filename: profile.strings.intern(file), startLine: startLine)
    if let id = index[f] { return id }
    let id = FunctionID(profile.functions.count)
    profile.functions.append(f)
    index[f] = id
    return id
  }
}

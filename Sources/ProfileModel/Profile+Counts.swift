extension Profile {
  /// How many differently named functions the profile has: what `summary`, the session line
  /// and `top` (at function granularity, before its cutoff) all call "functions".
  ///
  /// The function table can hold one name more than once (the same symbol in two binaries,
  /// or with two source files), so its size is not the count a reader expects.
  public var functionNameCount: Int {
    var names = Set<String>()
    names.reserveCapacity(functions.count)
    for f in functions { names.insert(strings[f.name]) }
    return names.count
  }
}

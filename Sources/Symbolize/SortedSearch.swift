extension Array {
  /// The index of the first element whose `key` is greater than `value`, for an array
  /// sorted by `key` (binary search). Every address table of the symbolizer (ELF symbols,
  /// DWARF ranges, kallsyms, perf maps) finds the candidate just before this index.
  @inlinable
  func upperBound(of value: UInt64, key: (Element) -> UInt64) -> Int {
    var lo = 0
    var hi = count
    while lo < hi {
      let mid = (lo + hi) / 2
      if key(self[mid]) <= value { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }
}

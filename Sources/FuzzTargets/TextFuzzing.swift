import Symbolize

/// Line-oriented symbol texts: JIT perf maps and kallsyms.
enum TextFuzzing {
  static func perfMap(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let map = PerfMap(parsing: text(bytes))
    let entries = map.entries
    require(entries.count <= bytes.count / 5 + 1, "more perf-map entries than lines")
    for (i, e) in entries.enumerated() {
      require(e.size > 0 && !e.name.isEmpty, "empty perf-map entry \(e)")
      if i > 0 { require(entries[i - 1].start < e.start, "perf-map entries not sorted and unique") }
      // Every entry's own start finds an entry that contains it (itself or a later overlap).
      for address in [e.start, e.start &+ (e.size - 1) / 2, e.start &+ (e.size - 1)] {
        if let found = map.entry(containing: address) {
          require(found.start <= address && address - found.start < found.size, "entry(containing:) gave a non-cover")
        }
      }
      require(map.entry(containing: e.start) != nil, "an entry's start is not found")
    }
    _ = map.entry(containing: 0)
    _ = map.entry(containing: .max)
    return .accepted(items: entries.count)
  }

  static func kallsyms(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let table = KernelSymbols(parsing: text(bytes))
    let symbols = table.symbols
    require(symbols.count <= bytes.count / 5 + 1, "more kallsyms symbols than lines")
    for (i, s) in symbols.enumerated() {
      require(s.address != 0, "a zero-address kernel symbol was kept")
      if i > 0 { require(symbols[i - 1].address <= s.address, "kernel symbols not sorted") }
      if let found = table.symbol(containing: s.address) {
        require(found.address == s.address, "symbol(containing:) at a symbol's start gave \(found.address)")
      } else {
        require(false, "a symbol's own address is not found")
      }
      _ = table.symbol(containing: s.address &+ 1)
    }
    _ = table.symbol(containing: 0)
    _ = table.symbol(containing: .max)
    return .accepted(items: symbols.count)
  }
}

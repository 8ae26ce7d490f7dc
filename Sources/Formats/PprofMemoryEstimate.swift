/// What decoding a pprof will cost in memory, added up field by field while the top level is
/// scanned, so a forged or bombed profile is refused before its tables are built.
///
/// The figures are per decoded item and follow the decoder's own arrays (a sample keeps its byte
/// range, frame start, hash, label set, sort slot, leaf and values; each location id, one or two
/// bytes on the wire, becomes a four-byte frame and at worst one stack-tree node). Measured on the
/// 26 MB `bench-pprof` file (250k samples, 43 MB plain): estimate 943 MiB, real peak 259 MB with
/// shared stacks; estimate 932 MiB, real peak 899 MB with unique stacks (11M tree nodes, the worst
/// case). So the estimate is about right for the worst shape and safe for the usual one, and the
/// default budget loads profiles about four times that benchmark.
struct PprofMemoryEstimate {
  let budget: Int
  private(set) var bytes = 0

  init(budget: Int) { self.budget = budget }

  /// Adds the cost of one top-level field of `bytes` wire bytes (one value for `comment`, which
  /// may come unpacked); throws once past the budget.
  mutating func add(field: UInt64, bytes wire: Int, sampleTypes: Int) throws(FormatError) {
    let cost: Int
    switch field {
    case 2:
      // Sample: fixed per-sample arrays, its values (twice: decoded and in the table), and for each
      // location id (at least one byte each) a frame and possibly a stack-tree node.
      cost = 96 + 16 * sampleTypes + 24 * wire
    case 4: cost = 64 + 16 * wire  // Location: the struct, and lines (each at least two bytes)
    case 5: cost = 64  // Function
    case 3: cost = 96  // Mapping
    case 6: cost = 56 + wire  // String: the array slot, the lookup slot and the text
    case 13: cost = 24  // One comment: its string index, then its string
    default: cost = 32 + wire
    }
    bytes += cost
    if bytes > budget { throw .needsTooMuchMemory(limit: budget) }
  }
}

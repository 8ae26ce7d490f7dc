import Analysis
import ProfileModel
import Render

/// The detail page of the interactive heatmap: a function's callers and callees (as
/// `peek`) and its hottest source lines (from `list`'s per-line numbers).
enum FunctionDetails {
  /// The page of `row`: its functions are selected by identity, the name is only shown.
  static func lines(for row: HeatmapRow, in profile: Profile, filter: ProfileFilter) -> [String] {
    let name = row.name
    var lines = ["Function: \(DisplayText.escapingControls(name))", ""]
    let column = Heatmap.timeColumn(of: profile) ?? profile.defaultValueIndex
    let options = GraphOptions(valueIndex: column, filter: filter)
    if let peek = try? PeekReport(profile: profile, functions: row.functions, named: name, options: options) {
      var text = ""
      PeekRenderer.write(peek, to: &text)
      lines.append("Callers and callees:")
      lines.append(contentsOf: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    } else {
      lines.append("No sampled call-graph data for this function.")
    }
    if !row.functions.isEmpty,
      let listing = try? SourceListing(
        profile: profile, functions: row.functions, named: name, options: options, source: { _ in nil })
    {
      let hottest = listing.routines.flatMap { r in r.lines.map { (r.file ?? "?", $0) } }
        .filter { $0.1.flat > 0 }
        .sorted { $0.1.flat > $1.1.flat }
        .prefix(8)
      if !hottest.isEmpty {
        let unit = profile.sampleTypes[column].unit
        lines.append("")
        lines.append("Hottest lines (self):")
        for (file, row) in hottest {
          let value = unit == "nanoseconds" ? DurationFormat.string(nanoseconds: row.flat) : String(row.flat)
          lines.append("  \(value.padding(10))  \(DisplayText.escapingControls(file)):\(row.number)")
        }
      }
    }
    if let stats = CallStatistics.merged(row.functions.compactMap { profile.callStatistics[$0] }) {
      lines.append("")
      lines.append(
        "Traced: \(stats.calls) calls"
          + (stats.hasDurations
            ? ", self \(DurationFormat.string(nanoseconds: stats.selfNanos)), total \(DurationFormat.string(nanoseconds: stats.totalNanos))"
            : ", durations not measured"))
    }
    return lines
  }
}

extension String {
  /// Left-padded to `width` characters.
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}

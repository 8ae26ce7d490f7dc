import Analysis
import ProfileModel
import Render

/// The detail page of the interactive heatmap: a function's callers and callees (as
/// `peek`) and its hottest source lines (from `list`'s per-line numbers).
enum FunctionDetails {
  static func lines(for name: String, in profile: Profile, filter: ProfileFilter) -> [String] {
    var lines = ["Function: \(DisplayText.escapingControls(name))", ""]
    guard let matcher = try? NameMatcher("^" + escapeRegex(name) + "$", option: "details") else { return lines }
    let column = Heatmap.timeColumn(of: profile) ?? profile.defaultValueIndex
    let options = GraphOptions(valueIndex: column, filter: filter)
    if let peek = try? PeekReport(profile: profile, matching: matcher, options: options) {
      var text = ""
      PeekRenderer.write(peek, to: &text)
      lines.append("Callers and callees:")
      lines.append(contentsOf: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    } else {
      lines.append("No sampled call-graph data for this function.")
    }
    if let listing = try? SourceListing(profile: profile, matching: matcher, options: options, source: { _ in nil }) {
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
    if let stats = profile.functions.firstIndex(where: { profile.strings[$0.name] == name })
      .flatMap({ profile.callStatistics[FunctionID($0)] })
    {
      lines.append("")
      lines.append("Traced: \(stats.calls) calls" + (stats.hasDurations
        ? ", self \(DurationFormat.string(nanoseconds: stats.selfNanos)), total \(DurationFormat.string(nanoseconds: stats.totalNanos))"
        : ", durations not measured"))
    }
    return lines
  }

  /// `s` with regular-expression metacharacters escaped, so a name matches only itself.
  static func escapeRegex(_ s: String) -> String {
    var out = ""
    for ch in s {
      if "\\^$.|?*+()[]{}".contains(ch) { out.append("\\") }
      out.append(ch)
    }
    return out
  }
}

extension String {
  /// Left-padded to `width` characters.
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}

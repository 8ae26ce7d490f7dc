import Analysis
import ProfileModel

/// The seed's heatmap bar view as an SVG image: the legend lines, then the top rows by CPU
/// time with bars proportional to it in the terminal's red → green gradient and `avg | calls`,
/// and when the session kept times, each row's sparkline over the run (`HeatmapRowTimeline.columns`).
public enum SVGHeatmap {
  /// The SVG document for the first `limit` rows of `heatmap`.
  public static func render(
    _ heatmap: Heatmap, facts: SummaryFacts, title: String, limit: Int = HeatmapMode.bar.defaultLimit, width: Int = 1200
  ) -> String {
    let rows = Array(heatmap.rows.prefix(limit))
    var overTime = true
    if case .unavailable = heatmap.timelineKind { overTime = false }
    let legend =
      HeatmapRenderer.legend(heatmap, facts: facts) + (overTime ? [HeatmapRenderer.sparklineLegend(heatmap)] : [])
    let sparkWidth = overTime ? Double(SampleTimeline.bucketCount * 3) : 0
    let rowHeight = 20.0
    let top = 40.0 + Double(legend.count) * 18 + 10
    let height = Int(top + Double(max(1, rows.count)) * rowHeight + 20)
    let nameWidth = 330.0
    let suffixWidth = 260.0
    let barWidth = Double(width) - nameWidth - suffixWidth - 30 - (overTime ? sparkWidth + 10 : 0)
    let maxCPU = rows.map { HeatmapRenderer.barValue($0, of: heatmap) }.max() ?? 0
    let names = NameFit.fitAll(rows.map { DisplayText.escapingControls($0.name) }, width: 48)
    var out = """
      <?xml version="1.0" encoding="UTF-8" standalone="no"?>
      <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">
      <style type="text/css"><![CDATA[
      text { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; fill: #000; }
      .title { font-size: 16px; font-weight: bold; }
      ]]></style>
      <rect x="0" y="0" width="\(width)" height="\(height)" fill="#ffffff"/>
      <text class="title" x="10" y="24">\(SVGFlameGraph.xml("🔥 " + title))</text>

      """
    for (i, line) in legend.enumerated() {
      out += "<text x=\"10\" y=\"\(SVGFlameGraph.fmt(48 + Double(i) * 18))\">\(SVGFlameGraph.xml(line))</text>\n"
    }
    if rows.isEmpty {
      out += "<text x=\"10\" y=\"\(SVGFlameGraph.fmt(top + 14))\">(no functions with self time)</text>\n"
    }
    for (i, row) in rows.enumerated() {
      let y = top + Double(i) * rowHeight
      let value = HeatmapRenderer.barValue(row, of: heatmap)
      let length = maxCPU > 0 ? max(1, barWidth * Double(value) / Double(maxCPU)) : 0
      let colour = HeatmapRenderer.gradientRGB(rank: i, of: rows.count).hex
      let suffix = HeatmapRenderer.suffix(row, exact: heatmap.isExact)
      out += "<g class=\"row\" data-n=\"\(SVGFlameGraph.xml(row.name))\" data-cpu=\"\(row.cpuNanos)\">"
      let measure =
        heatmap.countType.map { "\($0) \(row.count)" }
        ?? "CPU Time \(DurationFormat.string(nanoseconds: row.cpuNanos))"
      out += "<title>\(SVGFlameGraph.xml(row.name)): \(measure), \(SVGFlameGraph.xml(suffix))</title>"
      out += "<text x=\"10\" y=\"\(SVGFlameGraph.fmt(y + 14))\">\(SVGFlameGraph.xml(names[i]))</text>"
      out +=
        "<rect x=\"\(SVGFlameGraph.fmt(nameWidth + 10))\" y=\"\(SVGFlameGraph.fmt(y + 3))\" width=\"\(SVGFlameGraph.fmt(length))\" height=\"14\" fill=\"\(colour)\"/>"
      if overTime, let timeline = row.timeline {
        out += sparkline(timeline, x: nameWidth + 20 + barWidth, y: y, colour: colour)
      }
      out +=
        "<text x=\"\(SVGFlameGraph.fmt(nameWidth + 20 + barWidth + (overTime ? sparkWidth + 10 : 0)))\" y=\"\(SVGFlameGraph.fmt(y + 14))\">\(SVGFlameGraph.xml(suffix))</text></g>\n"
    }
    out += "</svg>\n"
    return out
  }

  /// One row's sparkline over time: a 3-pixel column per timeline bucket, height relative to
  /// the row's peak, nothing where the row had no time.
  static func sparkline(_ timeline: HeatmapRowTimeline, x: Double, y: Double, colour: String) -> String {
    let columns = timeline.columns(SampleTimeline.bucketCount)
    let peak = columns.compactMap { $0 }.max() ?? 0
    var out = ""
    for (c, value) in columns.enumerated() {
      guard let value, value > 0, peak > 0 else { continue }
      let h = max(1, 14 * value / peak)
      out +=
        "<rect x=\"\(SVGFlameGraph.fmt(x + Double(c) * 3))\" y=\"\(SVGFlameGraph.fmt(y + 17 - h))\" width=\"3\" height=\"\(SVGFlameGraph.fmt(h))\" fill=\"\(colour)\"/>"
    }
    return out
  }
}

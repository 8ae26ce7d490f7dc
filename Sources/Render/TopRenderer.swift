import Analysis

/// Writes a `TopReport` in pprof's `top` layout.
public enum TopRenderer {
  /// The unit pprof would pick for this report (one for all rows).
  public static func formatter(for report: TopReport) -> ValueFormatter {
    ValueFormatter(
      sampleUnit: report.valueType.unit, nodeValues: report.rows.map { ($0.flat, $0.cum) }, total: report.total)
  }

  /// pprof's label lines: active filters, `Showing nodes accounting for …`, dropped nodes,
  /// `Showing top N nodes out of M`.
  public static func labels(_ report: TopReport, formatter fmt: ValueFormatter) -> [String] {
    var lines = report.filter.descriptionLines
    let flat = report.shownFlat
    let pct = PprofUnits.percentage(flat, of: report.total).trimmingSpaces
    lines.append("Showing nodes accounting for \(fmt.format(flat)), \(pct) of \(fmt.format(report.total)) total")
    if report.total != 0 {
      if report.droppedNodes > 0 {
        let noun = report.droppedNodes > 1 ? "nodes" : "node"
        lines.append("Dropped \(report.droppedNodes) \(noun) (cum <= \(fmt.format(report.dropThreshold)))")
      }
      if !report.rows.isEmpty && report.rows.count < report.nodesAfterDrop {
        lines.append("Showing top \(report.rows.count) nodes out of \(report.nodesAfterDrop)")
      }
    }
    return lines
  }

  /// Writes the report: labels, the `flat flat% sum% cum cum%` header, one row per node.
  public static func write(_ report: TopReport, to out: inout some TextOutputStream, options: RenderOptions = .plain) {
    let fmt = formatter(for: report)
    for line in labels(report, formatter: fmt) { out.write(line + "\n") }
    let header =
      "\(Pad.left("flat", 10)) \(Pad.left("flat", 5))% \(Pad.left("sum", 5))% \(Pad.left("cum", 10)) \(Pad.left("cum", 5))%"
    out.write(TextStyle.bold.apply(header, enabled: options.color) + "\n")
    var flatSum: Int64 = 0
    for row in report.rows {
      flatSum &+= row.flat
      let numbers =
        "\(Pad.left(fmt.format(row.flat), 10)) \(PprofUnits.percentage(row.flat, of: report.total)) "
        + "\(PprofUnits.percentage(flatSum, of: report.total)) \(Pad.left(fmt.format(row.cum), 10)) "
        + "\(PprofUnits.percentage(row.cum, of: report.total))  "
      var name = DisplayText.escapingControls(row.info.printableName) + row.inline.suffix
      if let width = options.width {
        name = Pad.cut(name, max(8, width - numbers.unicodeScalars.count))
      }
      if options.color, let style = Pad.heat(row.flat, of: report.total) {
        out.write(style.apply(numbers, enabled: true) + name + "\n")
      } else {
        out.write(numbers + name + "\n")
      }
    }
  }
}

extension String {
  /// Leading and trailing spaces removed (Go's `strings.TrimSpace` for our ASCII labels).
  var trimmingSpaces: String {
    var s = Substring(self)
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}

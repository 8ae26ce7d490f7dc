import Analysis

/// Writes a `PeekReport` in pprof's `peek` layout (its text `tree` report).
public enum PeekRenderer {
  static let separator = "----------------------------------------------------------+-------------"
  /// pprof's legend, tab characters included.
  static let legend = "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t "

  /// Writes the report: labels, legend, then per entry its callers, itself and its callees.
  public static func write(_ report: PeekReport, to out: inout some TextOutputStream, options: RenderOptions = .plain) {
    let fmt = ValueFormatter(
      sampleUnit: report.valueType.unit, nodeValues: report.nodeValues, total: report.total)
    var labels = report.filter.descriptionLines
    let pct = PprofUnits.percentage(report.graphFlat, of: report.total).trimmingSpaces
    labels.append(
      "Showing nodes accounting for \(fmt.format(report.graphFlat)), \(pct) of \(fmt.format(report.total)) total")
    for line in labels { out.write(line + "\n") }
    out.write(separator + "\n")
    out.write(TextStyle.bold.apply(legend, enabled: options.color) + "\n")
    var flatSum: Int64 = 0
    for entry in report.entries {
      let node = entry.node
      out.write(separator + "\n")
      for link in entry.callers { out.write(linkLine(link, cum: node.cum, fmt: fmt, options: options)) }
      flatSum &+= node.flat
      let numbers =
        "\(Pad.left(fmt.format(node.flat), 10)) \(PprofUnits.percentage(node.flat, of: report.total)) "
        + "\(PprofUnits.percentage(flatSum, of: report.total)) \(Pad.left(fmt.format(node.cum), 10)) "
        + "\(PprofUnits.percentage(node.cum, of: report.total))                | "
      let name = fit(DisplayText.escapingControls(node.info.printableName), after: numbers, options: options)
      out.write(numbers + TextStyle.bold.apply(name, enabled: options.color) + "\n")
      for link in entry.callees { out.write(linkLine(link, cum: node.cum, fmt: fmt, options: options)) }
    }
    if report.graphNodeCount > 0 { out.write(separator + "\n") }
  }

  static func linkLine(_ link: PeekReport.Link, cum: Int64, fmt: ValueFormatter, options: RenderOptions) -> String {
    let numbers = "\(Pad.left(fmt.format(link.weight), 50)) \(PprofUnits.percentage(link.weight, of: cum)) |   "
    let name = fit(
      DisplayText.escapingControls(link.info.printableName) + (link.isInline ? " (inline)" : ""), after: numbers,
      options: options)
    return numbers + name + "\n"
  }

  static func fit(_ name: String, after prefix: String, options: RenderOptions) -> String {
    guard let width = options.width else { return name }
    return Pad.cut(name, max(8, width - prefix.unicodeScalars.count))
  }
}

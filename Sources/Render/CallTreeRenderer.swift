import Analysis

/// Writes a `CallTree`: one line per call path, indented by depth, with cum and cum%.
///
/// Indentation stops growing at `maxIndentedDepth` levels; deeper rows keep that indent and show
/// their depth as `[N] ` before the name, so a deep recursion costs a bounded width per row.
public enum CallTreeRenderer {
  /// Deepest level drawn by indentation alone.
  public static let maxIndentedDepth = 32

  /// Writes the labels, the `cum cum%` header and the indented rows.
  public static func write(_ tree: CallTree, to out: inout some TextOutputStream, options: RenderOptions = .plain) {
    let fmt = ValueFormatter(
      sampleUnit: tree.valueType.unit, nodeValues: tree.rows.map { ($0.flat, $0.cum) }, total: tree.total)
    for line in tree.filter.descriptionLines { out.write(line + "\n") }
    out.write("Showing call tree of \(fmt.format(tree.total)) total\n")
    if tree.hiddenRows > 0 {
      let noun = tree.hiddenRows > 1 ? "nodes" : "node"
      out.write("Hidden \(tree.hiddenRows) \(noun) (cum < \(fmt.format(tree.cutoff)) or below the depth limit)\n")
    }
    let header = "\(Pad.left("cum", 10)) \(Pad.left("cum", 5))%  call path"
    out.write(TextStyle.bold.apply(header, enabled: options.color) + "\n")
    for row in tree.rows {
      let numbers = "\(Pad.left(fmt.format(row.cum), 10)) \(PprofUnits.percentage(row.cum, of: tree.total))  "
      let indent =
        row.depth <= maxIndentedDepth
        ? String(repeating: "  ", count: row.depth)
        : String(repeating: "  ", count: maxIndentedDepth) + "[\(row.depth)] "
      var name = DisplayText.escapingControls(row.info.printableName)
      if let width = options.width {
        name = Pad.cut(name, max(8, width - numbers.unicodeScalars.count - indent.count))
      }
      if options.color, let style = Pad.heat(row.cum, of: tree.total) {
        out.write(style.apply(numbers, enabled: true) + indent + name + "\n")
      } else {
        out.write(numbers + indent + name + "\n")
      }
    }
  }
}

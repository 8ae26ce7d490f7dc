import Analysis

/// Writes a `SourceListing` in pprof's `list` layout.
public enum SourceListingRenderer {
  /// Writes `Total:`, then per routine its `ROUTINE ===…` header, its `(flat, cum)` line and
  /// one `flat cum line:text` row per source line (`.` for zero).
  public static func write(
    _ listing: SourceListing, to out: inout some TextOutputStream, options: RenderOptions = .plain
  ) {
    // pprof's list scales every value on its own (unit=minimum, no report-wide choice).
    let fmt = ValueFormatter(sampleUnit: listing.valueType.unit, outputUnit: "minimum")
    out.write("Total: \(fmt.format(listing.total))\n")
    for routine in listing.routines {
      let function = DisplayText.escapingControls(routine.function)
      guard let file = routine.file.map({ DisplayText.escapingControls($0) }) else {
        out.write("No source information for \(function)\n")
        continue
      }
      let title = "ROUTINE ======================== \(function) in \(file)"
      out.write(TextStyle.bold.apply(title, enabled: options.color) + "\n")
      out.write(
        "\(Pad.left(fmt.format(routine.flat), 10)) \(Pad.left(fmt.format(routine.cum), 10)) (flat, cum) "
          + "\(PprofUnits.percentage(routine.cum, of: listing.total)) of Total\n")
      if !routine.sourceAvailable {
        out.write(" Source not available: \(file) (showing only lines with samples)\n")
      }
      for line in routine.lines {
        let numbers =
          "\(Pad.left(fmt.formatOrDot(line.flat), 10)) \(Pad.left(fmt.formatOrDot(line.cum), 10)) \(Pad.left(String(line.number), 6)):"
        var text = DisplayText.escapingControls(line.text ?? "", keepingTabs: true)
        if let width = options.width { text = Pad.cut(text, max(0, width - numbers.unicodeScalars.count)) }
        if options.color, line.flat != 0 || line.cum != 0 {
          let style = Pad.heat(line.flat, of: listing.total) ?? .bold
          out.write(style.apply(numbers, enabled: true) + text + "\n")
        } else {
          out.write(numbers + text + "\n")
        }
      }
    }
  }
}

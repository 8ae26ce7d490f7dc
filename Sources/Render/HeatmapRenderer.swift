import Analysis
import ProfileModel

/// The seed's heatmap views: bar, sparkline and table.
public enum HeatmapMode: String, Sendable, CaseIterable {
  case bar, sparkline, table

  /// Rows shown by default: the seed's top 25 for bar and sparkline, 50 for the table.
  public var defaultLimit: Int { self == .table ? 50 : 25 }

  /// The seed's title for the interactive view.
  public var title: String {
    switch self {
    case .bar: return "Bar Chart"
    case .sparkline: return "Sparkline"
    case .table: return "Table"
    }
  }
}

/// Draws a `Heatmap` as text fitted to a width, with the seed's three legend lines on top.
public enum HeatmapRenderer {
  static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
  static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
  static let sparkWidth = 10
  /// Widest sparkline over time: one column per timeline bucket.
  static let timelineSparkWidth = SampleTimeline.bucketCount

  /// The legend: live numbers, then what Count / CPU Time mean, then Avg / Max / P95, and for a
  /// sampled session one more line saying which columns cannot be measured.
  public static func legend(_ heatmap: Heatmap, facts: SummaryFacts) -> [String] {
    var live: [String] = []
    if let p = facts.parallelism { live.append("Parallelism: \(SummaryRenderer.parallelismText(p))") }
    if let e = facts.elapsedNanos { live.append("Elapsed: \(DurationFormat.string(nanoseconds: e))") }
    if let type = heatmap.countType, facts.cpuNanos == nil {
      live.append("\(type): \(heatmap.rows.reduce(Int64(0)) { $0 &+ $1.count })")
    } else {
      live.append("CPU Time: \(DurationFormat.string(nanoseconds: facts.cpuNanos ?? heatmap.totalCPUNanos))")
    }
    return [live.joined(separator: " | ")] + meaning(heatmap)
  }

  /// The legend's lines that say what the columns are (the web view shows them too).
  public static func meaning(_ heatmap: Heatmap) -> [String] {
    if let type = heatmap.countType {
      return [
        "Count: the \(type) values whose innermost frame is the function | \(heatmap.timeTitle): -",
        "Count-only session (no time column): Count = \(type) | CPU Time, Avg, Max, P95 need a time column: -",
      ]
    }
    var lines: [String] = []
    lines.append("Count: # calls (incl. recursion) | \(heatmap.timeTitle): sum of self-time (excludes children)")
    lines.append("Avg: avg self-time | Max: max self-time | P95: 95th percentile self-time")
    if let clock = heatmap.sampledClock {
      let what = clock == "wall" ? "sampled CPU + off-CPU self time" : "off-CPU self time (where threads waited)"
      lines.append(
        "Sampled session: Count = CPU samples | \(heatmap.timeTitle) = \(what) | Avg, Max, P95 need exact calls (run --trace): -"
      )
    } else if !heatmap.isExact {
      lines.append(
        "Sampled session: Count = samples | CPU Time = sampled self time | Avg, Max, P95 need exact calls (run --trace): -"
      )
    } else if heatmap.countsOnly {
      lines.append("Entry-only tracing: Count is exact; durations were not measured, so times show -")
    } else if let clockLine = clockLegend(heatmap) {
      lines.append(clockLine)
    }
    return lines
  }

  /// For traced sessions measured with both clocks: which clock the times are, and whether
  /// (and how much) probe cost was taken out of each call.
  static func clockLegend(_ heatmap: Heatmap) -> String? {
    guard heatmap.hasBothClocks || heatmap.probeCostNanos > 0 || heatmap.isRaw else { return nil }
    var parts: [String] = []
    if heatmap.perGoroutine {
      parts.append(
        heatmap.clock == .wall
          ? "Times: wall time per call of the goroutine (entry to RET; parked, waiting and switched-out time included)"
          : "Times: the goroutine's CPU time per call (its time on OS threads from one Go scheduler hand-over to the next, "
            + "thread switched-out time excluded; --clock wall for wall time)")
    } else if heatmap.clock == .wall {
      parts.append("Times: wall time per call (entry to return, time switched out included; CPU Time column sums it)")
    } else {
      parts.append("Times: the thread's CPU time per call (time switched out excluded; --clock wall for wall time)")
    }
    if heatmap.probeCostNanos > 0 {
      parts.append(
        "probe cost \(DurationFormat.string(nanoseconds: heatmap.probeCostNanos)) per traced call subtracted (--raw keeps it)"
      )
    } else if heatmap.isRaw {
      parts.append("raw: probe cost not subtracted")
    }
    return parts.joined(separator: " | ")
  }

  /// Writes the legend and the rows of `mode`, at most `limit` rows, fitted to `options.width`.
  public static func write(
    _ heatmap: Heatmap, mode: HeatmapMode, limit: Int? = nil, facts: SummaryFacts,
    to out: inout some TextOutputStream, options: RenderOptions = .plain
  ) {
    let lines = legend(heatmap, facts: facts) + (mode == .sparkline ? [sparklineLegend(heatmap)] : [])
    for line in lines {
      for part in wrapAtBars(line, width: options.width ?? Int.max) { out.write(part + "\n") }
    }
    out.write("\n")
    let rows = Array(heatmap.rows.prefix(limit ?? mode.defaultLimit))
    if rows.isEmpty {
      out.write("(no functions with self time)\n")
      return
    }
    for line in self.rows(heatmap, rows: rows, mode: mode, options: options) { out.write(line + "\n") }
  }

  /// The row lines of one mode (no legend), each at most `options.width` columns of text.
  /// With `selected` (the interactive view) every row gets a two-column gutter and the
  /// selected one is marked `> ` (and shown in reverse video when colour is on).
  public static func rows(
    _ heatmap: Heatmap, rows: [HeatmapRow], mode: HeatmapMode, options: RenderOptions = .plain, selected: Int? = nil
  ) -> [String] {
    var inner = options
    if selected != nil, let w = options.width { inner.width = max(20, w - 2) }
    let lines: [String]
    switch mode {
    case .table: lines = tableRows(heatmap, rows: rows, options: inner)
    case .bar, .sparkline: lines = graphicRows(heatmap, rows: rows, mode: mode, options: inner)
    }
    guard let selected else { return lines }
    // Tables have a header line above the rows.
    let offset = mode == .table ? 1 : 0
    return lines.enumerated().map { i, line in
      guard i - offset == selected else { return "  " + line }
      return options.color ? "\u{1B}[7m> " + line + "\u{1B}[0m" : "> " + line
    }
  }

  /// A legend line broken at its ` | ` separators so it fits `width`; a part that is still
  /// too long is cut with `…`.
  static func wrapAtBars(_ line: String, width: Int) -> [String] {
    if line.count <= width { return [line] }
    var result: [String] = []
    var current = ""
    for part in line.components(separatedBy: " | ") {
      let candidate = current.isEmpty ? part : current + " | " + part
      if candidate.count <= width || current.isEmpty {
        current = candidate
      } else {
        result.append(current)
        current = part
      }
    }
    if !current.isEmpty { result.append(current) }
    return result.map { Pad.cut($0, width) }
  }

  /// What the sparkline's columns and heights mean for this session (legend line of the
  /// sparkline mode in every view).
  public static func sparklineLegend(_ heatmap: Heatmap) -> String {
    switch heatmap.timelineKind {
    case .sampledSelfTime(let span, let runs):
      let over =
        runs > 1
        ? "\(runs) runs overlaid on their own time (mean run \(DurationFormat.string(nanoseconds: span)))"
        : "the run (\(DurationFormat.string(nanoseconds: span)))"
      return "Sparkline: sampled self time over \(over), left to right | height: the row's share of time in each "
        + "column relative to its own peak; blank: no samples there"
    case .tracedAveragePerCall(let span):
      return "Sparkline: average self time per call of the calls that began in each column, over the traced "
        + "\(DurationFormat.string(nanoseconds: span)) | height relative to the row's own peak; blank: no call began there"
    case .unavailable(let reason):
      return "Sparkline: \(reason), so it cannot show time | one level across, height ∝ "
        + (heatmap.isExact && !heatmap.countsOnly
          ? "avg self time per call" : heatmap.countType != nil ? "Count" : "self time")
        + " (relative to the top row)"
    }
  }

  /// The glyphs of a row's sparkline over time, `width` columns: each column's level relative
  /// to the row's peak (`sparkLevel`), a blank where the row had nothing; nil when the row has
  /// no timeline.
  public static func sparkline(_ row: HeatmapRow, width: Int) -> String? {
    guard let timeline = row.timeline, width > 0 else { return nil }
    let columns = timeline.columns(width)
    let peak = columns.compactMap { $0 }.max() ?? 0
    return String(
      columns.map { value -> Character in
        guard let value, value > 0, peak > 0 else { return " " }
        return levels[sparkLevel(value, max: peak)]
      })
  }

  // MARK: Bar and sparkline

  static func suffix(_ row: HeatmapRow, exact: Bool) -> String {
    let avg = row.avgNanos.map { DurationFormat.string(nanoseconds: $0) } ?? "-"
    return exact ? "avg: \(avg) | calls: \(row.count)" : "avg: \(avg) | samples: \(row.count)"
  }

  static func graphicRows(_ heatmap: Heatmap, rows: [HeatmapRow], mode: HeatmapMode, options: RenderOptions) -> [String]
  {
    let width = options.width ?? 120
    let suffixes = rows.map { suffix($0, exact: heatmap.isExact) }
    let suffixWidth = suffixes.map(\.count).max() ?? 0
    let longest = rows.map { DisplayText.escapingControls($0.name).count }.max() ?? 0
    // Names get up to 40% of the line (at least 8); the bar takes what is left; numbers never wrap.
    var nameWidth = min(longest, max(8, width * 2 / 5))
    let minGraphic = mode == .sparkline ? min(sparkWidth, 4) : 4
    var graphicWidth = width - nameWidth - 2 - 1 - suffixWidth
    if graphicWidth < minGraphic {
      nameWidth = max(8, nameWidth - (minGraphic - graphicWidth))
      graphicWidth = max(1, width - nameWidth - 3 - suffixWidth)
    }
    let overTime: Bool
    if case .unavailable = heatmap.timelineKind { overTime = false } else { overTime = true }
    if mode == .sparkline { graphicWidth = min(graphicWidth, overTime ? timelineSparkWidth : sparkWidth) }
    func barValue(_ row: HeatmapRow) -> Int64 { HeatmapRenderer.barValue(row, of: heatmap) }
    let maxCPU = rows.map(barValue).max() ?? 0
    let useAvg = heatmap.isExact && !heatmap.countsOnly
    let maxAvg = rows.compactMap(\.avgNanos).max() ?? 0
    var lines: [String] = []
    let names = NameFit.fitAll(rows.map { DisplayText.escapingControls($0.name) }, width: nameWidth)
    for (i, row) in rows.enumerated() {
      let name = names[i]
      let padded = name + String(repeating: " ", count: max(0, nameWidth - name.count))
      let graphic: String
      switch mode {
      case .bar:
        graphic = bar(barValue(row), max: maxCPU, width: graphicWidth)
      default:
        if overTime {
          graphic = sparkline(row, width: graphicWidth) ?? String(repeating: " ", count: graphicWidth)
          break
        }
        let level = useAvg ? sparkLevel(row.avgNanos ?? 0, max: maxAvg) : sparkLevel(barValue(row), max: maxCPU)
        graphic = String(repeating: levels[level], count: graphicWidth)
      }
      let paddedGraphic = graphic + String(repeating: " ", count: max(0, graphicWidth - graphic.count))
      let colored = options.color ? gradient(rank: i, of: rows.count) + paddedGraphic + "\u{1B}[0m" : paddedGraphic
      lines.append("\(padded)  \(colored) \(suffixes[i])")
    }
    return lines
  }

  /// What a row's bar measures: self time, or Count in a session without a time column.
  static func barValue(_ row: HeatmapRow, of heatmap: Heatmap) -> Int64 {
    heatmap.countType != nil ? row.count : row.cpuNanos
  }

  /// A bar of `value / max` of `width` cells with eighth-cell precision; at least one eighth
  /// for any non-zero value so small functions stay visible.
  public static func bar(_ value: Int64, max: Int64, width: Int) -> String {
    guard max > 0, value > 0, width > 0 else { return "" }
    var units = Int((Double(value) / Double(max) * Double(width * 8)).rounded())
    units = Swift.max(1, Swift.min(units, width * 8))
    var s = String(repeating: "█", count: units / 8)
    if units % 8 > 0 { s.append(eighths[units % 8 - 1]) }
    return s
  }

  /// Sparkline level 0…7 for `value / max`: level 0 only for the very smallest values.
  static func sparkLevel(_ value: Int64, max: Int64) -> Int {
    sparkLevel(Double(value), max: Double(max))
  }

  /// Sparkline level 0…7 for `value / max` in real numbers.
  static func sparkLevel(_ value: Double, max: Double) -> Int {
    guard max > 0, value > 0 else { return 0 }
    let level = Int((value / max * 8 * (1 - 1e-12)).rounded(.up)) - 1
    return Swift.min(7, Swift.max(0, level))
  }

  /// A 24-bit foreground colour from red (rank 0, highest impact) through yellow to green.
  public static func gradient(rank: Int, of count: Int) -> String {
    let c = gradientRGB(rank: rank, of: count)
    return "\u{1B}[38;2;\(c.r);\(c.g);0m"
  }

  /// The colour of `gradient` as RGB (the SVG heatmap uses the same colours).
  public static func gradientRGB(rank: Int, of count: Int) -> RGB {
    let t = count > 1 ? Double(rank) / Double(count - 1) : 0
    let r = t < 0.5 ? 255 : Int((1 - t) * 2 * 255)
    let g = t < 0.5 ? Int(t * 2 * 255) : 255
    return RGB(r, g, 0)
  }

  // MARK: Table

  static func tableRows(_ heatmap: Heatmap, rows: [HeatmapRow], options: RenderOptions) -> [String] {
    func time(_ v: Int64?) -> String { v.map { DurationFormat.string(nanoseconds: $0) } ?? "-" }
    var headers = ["Count", heatmap.timeTitle, "Avg", "Max", "P95"]
    var cells: [[String]] = rows.map { r in
      [
        String(r.count), heatmap.countsOnly ? "-" : time(r.cpuNanos), time(r.avgNanos), time(r.maxNanos),
        time(r.p95Nanos),
      ]
    }
    var colWidths = headers.map { max(8, $0.count) }
    for row in cells { for (i, c) in row.enumerated() { colWidths[i] = max(colWidths[i], c.count) } }
    let width = options.width ?? 160
    let minName = 10
    // Numbers never wrap: on a narrow terminal whole columns go, from the right, and the
    // last line says which.
    var hidden: [String] = []
    while headers.count > 2 && minName + colWidths.reduce(0, { $0 + $1 + 1 }) > width {
      hidden.insert(headers.removeLast(), at: 0)
      colWidths.removeLast()
      cells = cells.map { Array($0.dropLast()) }
    }
    let numbersWidth = colWidths.reduce(0) { $0 + $1 + 1 }
    let longest = max("Function".count, rows.map { DisplayText.escapingControls($0.name).count }.max() ?? 0)
    let nameWidth = max(minName, min(longest, width - numbersWidth))
    let fittedNames = NameFit.fitAll(rows.map { DisplayText.escapingControls($0.name) }, width: nameWidth)
    func line(_ name: String, _ values: [String]) -> String {
      let fitted = name
      var s = fitted + String(repeating: " ", count: max(0, nameWidth - fitted.count))
      for (i, v) in values.enumerated() { s += " " + Pad.left(v, colWidths[i]) }
      return s
    }
    var lines = [TextStyle.bold.apply(line(NameFit.fit("Function", width: nameWidth), headers), enabled: options.color)]
    for i in rows.indices { lines.append(line(fittedNames[i], cells[i])) }
    if !hidden.isEmpty { lines.append("(\(hidden.joined(separator: ", ")) hidden: terminal too narrow)") }
    return lines
  }
}

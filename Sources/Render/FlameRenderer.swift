import Analysis
import ProfileModel

/// How a flame graph's frames are coloured.
public enum FlameColorMode: String, Sendable, CaseIterable {
  /// By where the code lives: user, library, kernel, JIT.
  case module
  /// By the frame's self value, pale for none to red for the most.
  case `self`
}

/// What a terminal flame graph shows and how.
public struct FlameTextOptions: Sendable {
  /// Columns of the picture.
  public var width: Int
  /// Emit ANSI colours.
  public var color: Bool
  /// Colouring of the frames (a differential graph colours by change instead).
  public var colorMode: FlameColorMode
  /// Node shown full width (with its callers above it), or nil for the whole graph.
  public var zoom: Int?
  /// Node marked as selected (the interactive view).
  public var selected: Int?
  /// Nodes marked as search matches.
  public var matches: Set<Int>
  /// Change colouring of a differential graph, per node (see `FlameDiff.shade`).
  public var diff: FlameDiff?

  /// Options for a plain picture `width` columns wide.
  public init(
    width: Int, color: Bool = false, colorMode: FlameColorMode = .module, zoom: Int? = nil,
    selected: Int? = nil, matches: Set<Int> = [], diff: FlameDiff? = nil
  ) {
    self.width = width
    self.color = color
    self.colorMode = colorMode
    self.zoom = zoom
    self.selected = selected
    self.matches = matches
    self.diff = diff
  }
}

/// One drawn cell range of a terminal flame graph: which box covers columns `x0 ..< x1` of a row.
public struct FlameCell: Sendable, Equatable {
  /// The box's node, nil for merged thin frames.
  public var node: Int?
  /// First column.
  public var x0: Int
  /// One past the last column.
  public var x1: Int
  /// Frames merged into this box (0 for a node's own box).
  public var mergedFrames: Int

  /// A cell range.
  public init(node: Int?, x0: Int, x1: Int, mergedFrames: Int) {
    self.node = node
    self.x0 = x0
    self.x1 = x1
    self.mergedFrames = mergedFrames
  }
}

/// The terminal flame graph: an icicle (callers on top), one row per level, each frame as
/// wide as its cum (to within one cell), names shortened in the middle to fit.
public enum FlameRenderer {
  /// A value in the graph's unit: a duration for nanoseconds, else the number (thousands
  /// grouped, as prose lines do) and the type.
  public static func value(_ v: Int64, _ type: ValueType) -> String {
    type.unit == "nanoseconds" ? DurationFormat.string(nanoseconds: v) : "\(CountFormat.grouped(v)) \(type.type)"
  }

  /// The value of one cell: a duration, or a count with up to three significant digits.
  static func cellText(_ v: Double, _ type: ValueType) -> String {
    if type.unit == "nanoseconds" { return DurationFormat.string(nanoseconds: Int64(v.rounded())) }
    return DurationFormat.significant(v, digits: 3) + " " + type.type
  }

  /// `part` of `total` as `12.3%`.
  public static func percent(_ part: Int64, of total: Int64) -> String {
    guard total != 0 else { return "0%" }
    let p = Double(part) / Double(total) * 100
    return DurationFormat.significant(p, digits: 3) + "%"
  }

  /// Writes the header and the rows.
  public static func write(
    _ graph: FlameGraph, title: String, to out: inout some TextOutputStream, options: FlameTextOptions
  ) {
    let picture = rows(graph, options: options)
    for line in header(graph, title: title, hiddenFrames: picture.hiddenFrames, options: options) {
      out.write(line + "\n")
    }
    if graph.nodes.isEmpty {
      out.write("(no samples to draw)\n")
      return
    }
    for line in picture.lines { out.write(line + "\n") }
  }

  /// The header: title and total, the scale of one cell, what was left out, the colour key.
  public static func header(_ graph: FlameGraph, title: String, hiddenFrames: Int, options: FlameTextOptions)
    -> [String]
  {
    let viewWidth = options.zoom.map { graph.nodes[$0].cum } ?? graph.total
    var first = "\(title) | total \(value(graph.total, graph.valueType))"
    if let zoom = options.zoom {
      first +=
        " | zoomed: \(DisplayText.escapingControls(graph.name(zoom))) \(value(viewWidth, graph.valueType)) (\(percent(viewWidth, of: graph.total)))"
    }
    var lines = [first]
    var second =
      "root at top, width ∝ cum, 1 cell ≈ \(cellText(Double(viewWidth) / Double(max(1, options.width)), graph.valueType)), siblings by \(graph.sort.rawValue)"
    if hiddenFrames > 0 { second += " | \(hiddenFrames) thin frames not drawn (+N: N frames merged)" }
    if graph.depthHidden > 0 { second += " | \(graph.depthHidden) frames below the depth limit" }
    lines.append(second)
    if let diff = options.diff {
      lines.append(diffLegend(diff))
    } else if options.color {
      if options.colorMode == .module {
        let key = FrameModule.allCases.map { m in base(m).ansiBackground + " \(m.rawValue) " + "\u{1B}[0m" }
        lines.append("colours: " + key.joined(separator: " "))
      } else {
        lines.append(
          "colours: self share, " + selfColor(0).ansiBackground + " none " + "\u{1B}[0m " + selfColor(1).ansiBackground
            + " most " + "\u{1B}[0m")
      }
    }
    return lines
  }

  /// The differential legend: what the colours mean and how many frames changed significantly.
  public static func diffLegend(_ diff: FlameDiff) -> String {
    let head = "differential: B's shape, red = more self time than A per run, blue = less"
    if diff.qualified {
      return head
        + "; \(diff.colouredFrames) frame(s) (\(diff.significantFunctions.count) function(s)) changed significantly "
        + "(Mann–Whitney per function, \(diff.runsA) vs \(diff.runsB) runs); grey = not significant"
    }
    return head
      + ", grey = unchanged; single runs: colours are unqualified (run -n 5 on both sides to test significance)"
  }

  static func base(_ m: FrameModule) -> RGB { FlameColors.base(m) }
  static func selfColor(_ t: Double) -> RGB { FlameColors.selfShare(t) }

  /// The picture's lines (no header) and, per line, which box covers which columns (for the
  /// interactive view's navigation); `hiddenFrames` counts thin frames not drawn.
  public static func rows(_ graph: FlameGraph, options: FlameTextOptions) -> (
    lines: [String], cells: [[FlameCell]], hiddenFrames: Int
  ) {
    let width = max(1, options.width)
    let viewWidth = options.zoom.map { graph.nodes[$0].cum } ?? graph.total
    guard viewWidth > 0 else { return ([], [], 0) }
    // A frame of at least one cell's worth of value spans at least one cell after rounding.
    let cellValue = (viewWidth + Int64(width) - 1) / Int64(width)
    let layout = FlameLayout(graph: graph, minimumWidth: cellValue, zoom: options.zoom)
    let scale = Double(width) / Double(layout.viewWidth)
    var cells: [[FlameCell]] = []
    for box in layout.boxes {
      let x0 = Int((Double(box.start - layout.viewStart) * scale).rounded())
      let x1 = min(width, Int((Double(box.start - layout.viewStart + box.width) * scale).rounded()))
      guard x1 > x0 else { continue }
      while cells.count <= box.depth { cells.append([]) }
      cells[box.depth].append(FlameCell(node: box.node, x0: x0, x1: x1, mergedFrames: box.mergedFrames))
    }
    let maxSelf = graph.nodes.map(\.selfValue).max() ?? 0
    let lines = cells.map { row in line(row, graph: graph, width: width, maxSelf: maxSelf, options: options) }
    return (lines, cells, layout.hiddenFrames)
  }

  /// One row: each box's label fitted into its cells, a `|` closing it.
  static func line(_ row: [FlameCell], graph: FlameGraph, width: Int, maxSelf: Int64, options: FlameTextOptions)
    -> String
  {
    var out = ""
    var x = 0
    for cell in row {
      if cell.x0 > x { out += String(repeating: " ", count: cell.x0 - x) }
      let span = cell.x1 - cell.x0
      let label: String
      if let node = cell.node {
        label = DisplayText.escapingControls(graph.name(node))
      } else {
        label = "+\(cell.mergedFrames)"
      }
      let selected = cell.node != nil && cell.node == options.selected
      let matched = cell.node.map { options.matches.contains($0) } ?? false
      var text: String
      if span == 1 {
        text = selected ? ">" : "|"
      } else {
        var inner = NameFit.fit(label, width: span - 1 - (selected && !options.color ? 1 : 0))
        if selected && !options.color { inner = ">" + inner }
        let padding = span - 1 - inner.count
        text = inner + String(repeating: matched && !options.color ? "*" : " ", count: max(0, padding)) + "|"
      }
      if options.color {
        let rgb: RGB
        if matched {
          rgb = FlameColors.match
        } else if let node = cell.node {
          rgb = colour(node, graph: graph, maxSelf: maxSelf, options: options)
        } else {
          rgb = RGB(170, 170, 170)
        }
        text = rgb.ansiBackground + (selected ? "\u{1B}[7m" : "") + text + "\u{1B}[0m"
      }
      out += text
      x = cell.x1
    }
    return out
  }

  /// A node's fill colour for the options' colouring.
  static func colour(_ node: Int, graph: FlameGraph, maxSelf: Int64, options: FlameTextOptions) -> RGB {
    if let diff = options.diff { return FlameColors.change(diff.shade[node]) }
    let n = graph.nodes[node]
    switch options.colorMode {
    case .module: return FlameColors.module(graph.frames[Int(n.frame)].module, name: graph.name(node))
    case .self: return FlameColors.selfShare(maxSelf > 0 ? Double(n.selfValue) / Double(maxSelf) : 0)
    }
  }
}
